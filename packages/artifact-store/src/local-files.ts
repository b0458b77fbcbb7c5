import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { ArtifactStoreError } from './errors.js';

/** A file found below a local directory. */
export interface LocalFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the directory, `/`-separated. */
  relativeKey: string;
  size: number;
  mtime: Date;
}

const TEMPORARY_FILE = /^\..+\.partial-[0-9a-f]{12}$/;

/**
 * Writes `path` through a temporary file beside it that `write` fills and that is renamed into place only once
 * complete, so that no reader ever sees half a file; creates the directory first.
 */
export async function writeFileAtomically(path: string, write: (temporaryPath: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporaryPath = join(dirname(path), `.${basename(path)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    await write(temporaryPath);
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

/** Every file below `dir` in key order (UTF-8 byte order of the relative keys), leaving out unfinished atomic writes. */
export async function listLocalFiles(dir: string): Promise<LocalFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const candidates = entries.filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && !TEMPORARY_FILE.test(entry.name));
  const files = await Promise.all(
    candidates.map(async (entry): Promise<LocalFile | undefined> => {
      const path = join(entry.parentPath, entry.name);
      const stats = await stat(path).catch(() => undefined);
      if (stats === undefined || !stats.isFile()) return undefined;
      return { path, relativeKey: relative(dir, path).split(sep).join('/'), size: stats.size, mtime: stats.mtime };
    }),
  );
  const sortKeys = new Map<LocalFile, Buffer>();
  for (const file of files) if (file !== undefined) sortKeys.set(file, Buffer.from(file.relativeKey, 'utf8'));
  return [...sortKeys.keys()].sort((a, b) => Buffer.compare(sortKeys.get(a)!, sortKeys.get(b)!));
}

/** The size of the local file `path`; a non-retryable ArtifactStoreError naming it when it is not a readable file. */
export async function localFileSize(path: string): Promise<number> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined || !stats.isFile()) throw new ArtifactStoreError(path, 'not a file', false);
  return stats.size;
}
