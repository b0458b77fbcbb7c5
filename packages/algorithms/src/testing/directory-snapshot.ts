import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file and folder below `dir` (files with their contents), to show that a failed run changed nothing; null when `dir` does not exist. */
export function directorySnapshot(dir: string): Record<string, string> | null {
  if (!existsSync(dir)) return null;
  const snapshot: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    snapshot[relative(dir, path)] = entry.isFile() ? readFileSync(path, 'base64') : '<dir>';
  }
  return snapshot;
}
