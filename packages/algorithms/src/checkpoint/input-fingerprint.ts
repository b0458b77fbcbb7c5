import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { listTextInput } from '../text-file.js';

/** Bytes hashed at each end of a file: enough to tell files of the same size apart without reading gigabytes. */
const EDGE_BYTES = 64 * 1024;

/** One input file as a checkpoint records it. */
export interface InputFileFingerprint {
  key: string;
  size: number;
  /** SHA-256 of its first and last 64 KiB (of the whole file when smaller than 128 KiB), hex. */
  edges: string;
}

/** The words (and labels) that the data gave, in id order. */
export interface VocabularyFingerprint {
  size: number;
  /** SHA-256 of the words and their counts, hex. */
  sha256: string;
}

/** The files of a text input (a file or a directory, see listTextInput) by key, size and the hash of their ends. */
export async function fingerprintTextInput(path: string): Promise<InputFileFingerprint[]> {
  const fingerprints: InputFileFingerprint[] = [];
  for (const file of await listTextInput(path)) {
    const handle = await open(file.path, 'r');
    try {
      const hash = createHash('sha256');
      const head = Buffer.alloc(Math.min(file.size, 2 * EDGE_BYTES));
      if (file.size <= 2 * EDGE_BYTES) {
        await handle.read(head, 0, head.length, 0);
      } else {
        await handle.read(head, 0, EDGE_BYTES, 0);
        await handle.read(head, EDGE_BYTES, EDGE_BYTES, file.size - EDGE_BYTES);
      }
      fingerprints.push({ key: file.key, size: file.size, edges: hash.update(head).digest('hex') });
    } finally {
      await handle.close();
    }
  }
  return fingerprints;
}

/** Size and hash of a vocabulary's words and counts (several lists, e.g. words and labels, hashed one after another). */
export function fingerprintVocabulary(...lists: { words: readonly string[]; counts: Float64Array }[]): VocabularyFingerprint {
  const hash = createHash('sha256');
  let size = 0;
  for (const { words, counts } of lists) {
    size += words.length;
    hash.update(`${words.length}\n`);
    for (let i = 0; i < words.length; i++) hash.update(`${words[i]!}\n${counts[i]!}\n`);
  }
  return { size, sha256: hash.digest('hex') };
}

/** How the files of an input differ from those a checkpoint recorded, in words; empty when they are the same. */
export function inputDifferences(channel: string, saved: readonly InputFileFingerprint[], now: readonly InputFileFingerprint[]): string[] {
  const savedByKey = new Map(saved.map((file) => [file.key, file]));
  const nowByKey = new Map(now.map((file) => [file.key, file]));
  const differences: string[] = [];
  for (const file of now) {
    const before = savedByKey.get(file.key);
    if (before === undefined) differences.push(`${channel} file ${file.key} is new`);
    else if (before.size !== file.size) differences.push(`${channel} file ${file.key} has ${file.size} bytes, ${before.size} in the checkpoint`);
    else if (before.edges !== file.edges) differences.push(`${channel} file ${file.key} has other content`);
  }
  for (const file of saved) if (!nowByKey.has(file.key)) differences.push(`${channel} file ${file.key} is gone`);
  return differences;
}
