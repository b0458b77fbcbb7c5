import { list } from 'tar';

/** The entries of a .tar.gz in archive order: path and modification time in ms. */
export async function archiveEntries(archive: string): Promise<{ path: string; mtime: number | undefined }[]> {
  const entries: { path: string; mtime: number | undefined }[] = [];
  await list({ file: archive, onReadEntry: (entry) => entries.push({ path: entry.path, mtime: entry.mtime?.getTime() }) });
  return entries;
}
