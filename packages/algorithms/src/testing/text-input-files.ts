import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { temporaryDirectory } from './temporary-directory.js';

export interface TextInputFiles {
  directory: string;
  /** A numbered file with `content`, gzipped when asked. */
  file: (content: string | Uint8Array, gzip?: boolean) => string;
  /** A folder `name` with `files` (key below it -> text; gzipped when the key ends with .gz). */
  folder: (name: string, files: Record<string, string>) => string;
}

/** Input files for reader tests in a fresh temporary directory removed after the suite. */
export function textInputFiles(prefix: string): TextInputFiles {
  const directory = temporaryDirectory(`${prefix}-`);
  let fileNumber = 0;
  const file = (content: string | Uint8Array, gzip = false): string => {
    const path = join(directory, `${prefix}-${fileNumber++}.txt${gzip ? '.gz' : ''}`);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
    return path;
  };
  const folder = (name: string, files: Record<string, string>): string => {
    const root = join(directory, name);
    mkdirSync(root, { recursive: true });
    for (const [key, text] of Object.entries(files)) {
      const path = join(root, key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, key.endsWith('.gz') ? gzipSync(text) : text);
    }
    return root;
  };
  return { directory, file, folder };
}
