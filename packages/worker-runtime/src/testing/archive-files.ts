import { list } from 'tar';

/** The files of a .tar.gz with their contents, by path. */
export async function archiveFiles(archive: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await list({
    file: archive,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => files.set(entry.path, Buffer.concat(chunks)));
    },
  });
  return files;
}
