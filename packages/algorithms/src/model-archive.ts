import { create } from 'tar';

/** Every entry's mtime, so that two identical trainings give byte-identical archives. */
const FIXED_MTIME = new Date(0);

/**
 * Writes model.tar.gz (gzip) holding `fileNames` from `dir` at the archive root, in the order given.
 * Portable mode drops owner, group and times other than the fixed mtime; the gzip header carries no
 * time or OS either, so the archive depends on the files' names, contents and permission bits only.
 */
export async function writeModelArchive(dir: string, fileNames: string[], archivePath: string): Promise<void> {
  // Level 1: weights hardly compress, and level 6 takes many times longer on a model of hundreds of MB.
  await create({ gzip: { level: 1 }, cwd: dir, file: archivePath, portable: true, mtime: FIXED_MTIME, noDirRecurse: true }, fileNames);
}
