import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

const FORMAT = 'blazefleet-checkpoint';
const VERSION = 1;
const MANIFEST = 'checkpoint.json';
const FOLDER = /^epoch-(\d+)$/;
const TEMPORARY_PREFIX = '.writing-epoch-';

/** A checkpoint that cannot be read back: truncated, altered, or not one at all. */
export class CorruptCheckpointError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'CorruptCheckpointError';
  }
}

/** What a checkpoint holds: a JSON description and float32 matrices. */
export interface CheckpointContents {
  /** Completed epochs; names the folder. */
  epoch: number;
  state: Record<string, unknown>;
  matrices: Record<string, Float32Array>;
}

interface MatrixEntry {
  file: string;
  floats: number;
  sha256: string;
}

/**
 * The checkpoints of a job in one directory, each a folder `epoch-N` holding checkpoint.json and one little-endian
 * float32 file per matrix. A folder is written under a temporary name inside the directory and renamed once complete
 * (and flushed to disk), so a folder named epoch-N is never half-written; older ones are removed after that rename.
 */
export class CheckpointFolder {
  constructor(readonly dir: string) {}

  /** Paths of the checkpoints in the directory, the most epochs first (normally one). */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => ({ name, epoch: FOLDER.exec(name)?.[1] }))
      .filter((entry): entry is { name: string; epoch: string } => entry.epoch !== undefined)
      .sort((a, b) => Number(b.epoch) - Number(a.epoch))
      .map((entry) => join(this.dir, entry.name));
  }

  /** Reads a checkpoint, checking every matrix against its size and SHA-256; CorruptCheckpointError when it does not hold. */
  async read(path: string): Promise<CheckpointContents> {
    let manifest: unknown;
    try {
      manifest = JSON.parse(await readFile(join(path, MANIFEST), 'utf8'));
    } catch (error) {
      throw new CorruptCheckpointError(path, `unreadable ${MANIFEST}: ${(error as Error).message}`);
    }
    const { epoch, state, matrices: entries } = parseManifest(path, manifest);
    const matrices: Record<string, Float32Array> = {};
    for (const [name, entry] of Object.entries(entries)) matrices[name] = await readMatrix(path, entry);
    return { epoch, state, matrices };
  }

  /** Writes a checkpoint atomically, then removes every other checkpoint and leftovers of interrupted writes. */
  async write(contents: CheckpointContents): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    // Not mkdtemp: its folders are private to their owner, and a checkpoint is often uploaded by another process.
    const temporary = join(this.dir, `${TEMPORARY_PREFIX}${randomUUID()}`);
    await mkdir(temporary);
    const final = join(this.dir, `epoch-${contents.epoch}`);
    try {
      const matrices: Record<string, MatrixEntry> = {};
      for (const [name, values] of Object.entries(contents.matrices)) {
        const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
        const file = `${name}.f32`;
        await writeDurably(join(temporary, file), bytes);
        matrices[name] = { file, floats: values.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }
      const manifest = { format: FORMAT, version: VERSION, epoch: contents.epoch, state: contents.state, matrices };
      await writeDurably(join(temporary, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      // Only a checkpoint of another job, being replaced, can have this name already.
      await rm(final, { recursive: true, force: true });
      await rename(temporary, final);
      await syncDirectory(this.dir);
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      throw error;
    }
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      if (path !== final && (FOLDER.test(name) || name.startsWith(TEMPORARY_PREFIX))) await rm(path, { recursive: true, force: true });
    }
    return final;
  }
}

function parseManifest(path: string, manifest: unknown): { epoch: number; state: Record<string, unknown>; matrices: Record<string, MatrixEntry> } {
  const fail = (reason: string): never => {
    throw new CorruptCheckpointError(path, reason);
  };
  if (!isRecord(manifest) || manifest.format !== FORMAT) return fail(`${MANIFEST} is not a Blazefleet checkpoint`);
  if (manifest.version !== VERSION) return fail(`format version ${String(manifest.version)}, this engine reads version ${VERSION}`);
  const { epoch, state, matrices } = manifest;
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 1) return fail('epoch: expected a positive integer');
  if (!isRecord(state)) return fail('state: expected an object');
  if (!isRecord(matrices)) return fail('matrices: expected an object');
  for (const [name, entry] of Object.entries(matrices)) {
    const valid =
      isRecord(entry) &&
      typeof entry.file === 'string' &&
      /^[\w-]+\.f32$/.test(entry.file) &&
      typeof entry.floats === 'number' &&
      Number.isSafeInteger(entry.floats) &&
      entry.floats >= 0 &&
      typeof entry.sha256 === 'string';
    if (!valid) return fail(`matrices.${name}: expected { file, floats, sha256 }`);
  }
  return { epoch, state, matrices: matrices as Record<string, MatrixEntry> };
}

async function readMatrix(path: string, entry: MatrixEntry): Promise<Float32Array> {
  const values = new Float32Array(entry.floats);
  const bytes = new Uint8Array(values.buffer);
  let handle;
  try {
    handle = await open(join(path, entry.file), 'r');
  } catch (error) {
    throw new CorruptCheckpointError(path, `${entry.file}: ${(error as Error).message}`);
  }
  try {
    const { size } = await handle.stat();
    if (size !== bytes.length) throw new CorruptCheckpointError(path, `${entry.file}: ${size} bytes, expected ${bytes.length}`);
    for (let at = 0; at < bytes.length; ) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) throw new CorruptCheckpointError(path, `${entry.file}: ends after ${at} bytes, expected ${bytes.length}`);
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
  if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) throw new CorruptCheckpointError(path, `${entry.file}: content does not match its SHA-256`);
  return values;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a rename to disk; not every platform can open a directory for that, and there it is skipped. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync().catch(() => {});
  } finally {
    await handle.close();
  }
}
