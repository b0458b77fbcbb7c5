import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export interface TrialLogBatching {
  /** Longest time a line waits before it is delivered. */
  intervalMs: number;
  /** Lines delivered at once at most; a full batch is delivered at once. */
  maxLines: number;
}

export const DEFAULT_LOG_BATCHING: TrialLogBatching = { intervalMs: 200, maxLines: 500 };

/** The trial's output lines: delivered in batches to the worker and written whole to a log file (train.log). */
export class TrialLog {
  private batch: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly file: WriteStream;
  private fileError: Error | undefined;

  constructor(
    readonly path: string,
    private readonly deliver: (lines: string[]) => void,
    private readonly batching: TrialLogBatching = DEFAULT_LOG_BATCHING,
  ) {
    this.file = createWriteStream(path);
    this.file.on('error', (error) => {
      this.fileError ??= error;
    });
  }

  add(line: string): void {
    this.batch.push(line);
    if (this.batch.length >= this.batching.maxLines) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.batching.intervalMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const lines = this.batch;
    this.batch = [];
    if (this.fileError === undefined) this.file.write(`${lines.join('\n')}\n`);
    this.deliver(lines);
  }

  /** Delivers what is left and closes the file; rejects when the file could not be written. */
  async close(): Promise<void> {
    this.flush();
    this.file.end();
    await finished(this.file).catch(() => {});
    if (this.fileError !== undefined) throw this.fileError;
  }
}
