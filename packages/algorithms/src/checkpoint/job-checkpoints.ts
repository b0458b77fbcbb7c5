import type { ThreadCounters } from '../kernels/training-threads.js';
import { CheckpointFolder, CorruptCheckpointError, type CheckpointContents } from './checkpoint-folder.js';
import { inputDifferences, type InputFileFingerprint, type VocabularyFingerprint } from './input-fingerprint.js';

/** The log message after each saved epoch (a worker uploads the checkpoint when it sees it). */
export const CHECKPOINT_WRITTEN = 'Checkpoint written after epoch';

/** What makes two runs the same job: a checkpoint is resumed only by a run with the same identity (epochs may grow). */
export interface JobIdentity {
  hyperparameters: { mode: string; epochs: number };
  seed: number;
  /** The files of each input channel (train, validation). */
  inputs: Record<string, InputFileFingerprint[]>;
  vocabulary: VocabularyFingerprint;
}

/** A trainer's state after a completed epoch, as a checkpoint keeps it. */
export interface SavedTraining {
  completedEpochs: number;
  counters: ThreadCounters;
  matrices: Record<string, Float32Array>;
  /** The trainer's other state, JSON values (the classifier's epoch reports and best epoch). */
  details: Record<string, unknown>;
}

type Log = (message: string, fields?: Record<string, unknown>) => void;

/** The checkpoints of one job in a directory: resumes the latest that belongs to this job, saves after every epoch. */
export class JobCheckpoints {
  readonly #folder: CheckpointFolder;

  constructor(
    dir: string,
    readonly identity: JobIdentity,
    private readonly log: Log,
  ) {
    this.#folder = new CheckpointFolder(dir);
  }

  /**
   * The trainer state of the latest checkpoint of this job (made by `decode`, which throws on a state it cannot use), or
   * undefined to start over. Checkpoints that cannot be read or that belong to another job are reported through the
   * log, naming why, and skipped.
   */
  async latest<State extends { completedEpochs: number }>(decode: (saved: SavedTraining) => State): Promise<State | undefined> {
    for (const path of await this.#folder.list()) {
      const found = await this.#resumable(path, decode);
      if (found === undefined) continue;
      const epochs = this.identity.hyperparameters.epochs;
      this.log(`Resumed from checkpoint after epoch ${found.completedEpochs} of ${epochs}`, { checkpoint: path, completedEpochs: found.completedEpochs, epochs });
      return found;
    }
    return undefined;
  }

  async #resumable<State>(path: string, decode: (saved: SavedTraining) => State): Promise<State | undefined> {
    let contents: CheckpointContents;
    let differences: string[];
    try {
      contents = await this.#folder.read(path);
      differences = jobDifferences((contents.state as { job?: unknown }).job, this.identity);
    } catch (error) {
      const reason = error instanceof CorruptCheckpointError ? error.reason : (error as Error).message;
      this.#ignore(path, `it cannot be read: ${reason}`, { reason });
      return undefined;
    }
    if (differences.length > 0) {
      this.#ignore(path, `it is of another job: ${differences.join('; ')}`, { differences });
      return undefined;
    }
    try {
      return decode({ ...parseTraining((contents.state as { training?: unknown }).training, contents.epoch), matrices: contents.matrices });
    } catch (error) {
      this.#ignore(path, `its training state is unusable: ${(error as Error).message}`, { reason: (error as Error).message });
      return undefined;
    }
  }

  #ignore(path: string, why: string, fields: Record<string, unknown>): void {
    this.log(`Warning: checkpoint ${path} ignored, ${why}`, { checkpoint: path, ...fields });
  }

  /** Writes the state after epoch `training.completedEpochs` (atomically, replacing the previous checkpoint). */
  async save(training: SavedTraining): Promise<void> {
    const started = performance.now();
    const { completedEpochs, counters, details, matrices } = training;
    const state = {
      job: this.identity,
      training: { completedEpochs, epochs: this.identity.hyperparameters.epochs, processed: counters.processed, loss: counters.loss, ...details },
    };
    const path = await this.#folder.write({ epoch: completedEpochs, state, matrices });
    this.log(`${CHECKPOINT_WRITTEN} ${completedEpochs}`, { checkpoint: path, epoch: completedEpochs, seconds: (performance.now() - started) / 1000 });
  }
}

function parseTraining(value: unknown, epoch: number): Omit<SavedTraining, 'matrices'> {
  const training = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { completedEpochs, processed, loss, epochs: _epochs, ...details } = training;
  if (completedEpochs !== epoch) throw new Error(`training.completedEpochs: expected ${epoch}, the epoch of the checkpoint`);
  if (typeof processed !== 'number' || !Number.isSafeInteger(processed) || processed < 0) throw new Error('training.processed: expected a count');
  if (!Array.isArray(loss) || loss.length % 2 !== 0 || !loss.every((x) => typeof x === 'number')) throw new Error('training.loss: expected pairs of numbers');
  return { completedEpochs: epoch, counters: { processed, loss: loss as number[] }, details };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Why a checkpoint's job (as saved) is not `identity`, in words; empty when it is the same job. */
function jobDifferences(saved: unknown, identity: JobIdentity): string[] {
  if (typeof saved !== 'object' || saved === null) return ['it names no job'];
  const job = saved as Partial<Record<keyof JobIdentity, unknown>>;
  const differences: string[] = [];
  const savedHp = (typeof job.hyperparameters === 'object' && job.hyperparameters !== null ? job.hyperparameters : {}) as Record<string, unknown>;
  const hp = identity.hyperparameters as unknown as Record<string, unknown>;
  for (const name of new Set([...Object.keys(savedHp), ...Object.keys(hp)])) {
    if (name === 'epochs' || same(savedHp[name], hp[name])) continue;
    differences.push(`${name} is ${JSON.stringify(hp[name] ?? null)}, ${JSON.stringify(savedHp[name] ?? null)} in the checkpoint`);
  }
  if (typeof savedHp.epochs !== 'number' || savedHp.epochs > identity.hyperparameters.epochs) {
    differences.push(`epochs is ${identity.hyperparameters.epochs}, ${JSON.stringify(savedHp.epochs ?? null)} in the checkpoint (epochs may only grow)`);
  }
  if (!same(job.seed, identity.seed)) differences.push(`seed is ${identity.seed}, ${JSON.stringify(job.seed ?? null)} in the checkpoint`);
  const savedInputs = (typeof job.inputs === 'object' && job.inputs !== null ? job.inputs : {}) as Record<string, unknown>;
  for (const channel of new Set([...Object.keys(savedInputs), ...Object.keys(identity.inputs)])) {
    const before = savedInputs[channel];
    const now = identity.inputs[channel];
    if (now === undefined) differences.push(`no ${channel} data, the checkpoint's job had some`);
    else if (!Array.isArray(before)) differences.push(`${channel} data given, the checkpoint's job had none`);
    else differences.push(...inputDifferences(channel, before as InputFileFingerprint[], now));
  }
  if (!same(job.vocabulary, identity.vocabulary)) {
    const before = job.vocabulary as Partial<VocabularyFingerprint> | undefined;
    const sizes = before?.size === identity.vocabulary.size ? `${identity.vocabulary.size} entries, other words or counts` : `${identity.vocabulary.size} entries, ${String(before?.size)} in the checkpoint`;
    differences.push(`vocabulary differs: ${sizes}`);
  }
  return differences;
}
