import { InputObjectNotFoundError, type ArtifactStore } from '@blazefleet/artifact-store';

/**
 * The checkpoints of a job (checkpointConfig): copied into the trial's checkpoint directory before training, and the
 * files that changed copied back when the algorithm says it wrote one (the engine, after every epoch), every
 * `intervalSeconds` while it trains, and once more at the end, so that the next attempt resumes from the latest.
 */
export class CheckpointSync {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly store: ArtifactStore,
    readonly uri: string,
    private readonly dir: string,
  ) {}

  /** Downloads the job's checkpoints and returns how many files there were; none yet is fine. */
  async restore(): Promise<number> {
    try {
      return (await this.store.download(this.uri, this.dir)).length;
    } catch (error) {
      if (error instanceof InputObjectNotFoundError) return 0;
      throw error;
    }
  }

  /**
   * Uploads changed files every `intervalSeconds` until `finish`, skipping a turn while the last upload is under way.
   * A failed periodic upload is left for the next one and for the final upload, which reports its errors.
   */
  start(intervalSeconds: number): void {
    this.timer = setInterval(() => this.uploadSoon(), intervalSeconds * 1000);
  }

  /** Uploads what changed now, unless an upload is under way (the next one or the final one takes it then). */
  uploadSoon(): void {
    if (this.busy || this.timer === undefined) return;
    this.busy = true;
    this.inFlight = this.upload()
      .catch(() => {})
      .finally(() => {
        this.busy = false;
      });
  }

  /** Stops the periodic uploads, waits for the one under way and uploads what changed since. */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.upload();
  }

  private upload(): Promise<string[]> {
    return this.store.uploadDirectory(this.dir, this.uri, { onlyChanged: true });
  }
}
