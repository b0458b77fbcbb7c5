import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { temporaryDirectory } from './temporary-directory.js';

/** Input files for reader tests, numbered, in a fresh temporary directory removed after the suite. */
export function textInputFiles(prefix: string): { directory: string; file: (content: string | Uint8Array, gzip?: boolean) => string } {
  const directory = temporaryDirectory(`${prefix}-`);
  let fileNumber = 0;
  const file = (content: string | Uint8Array, gzip = false): string => {
    const path = join(directory, `${prefix}-${fileNumber++}.txt${gzip ? '.gz' : ''}`);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
    return path;
  };
  return { directory, file };
}
