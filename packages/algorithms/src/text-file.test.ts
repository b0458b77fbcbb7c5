import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectInputDataError } from './testing/expect-input-error.js';
import { textInputFiles } from './testing/text-input-files.js';
import { readTextLines, requireReadableFile, streamTextFile } from './text-file.js';

const { directory, file } = textInputFiles('text-file');

async function streamed(path: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  await streamTextFile(path, (chunk) => chunks.push(Uint8Array.from(chunk)));
  return Buffer.concat(chunks);
}

describe('streamTextFile', () => {
  it('gives the same bytes for plain and gzip files, across read chunks', async () => {
    const text = 'één twee drie\n'.repeat(200_000);
    expect((await streamed(file(text))).toString()).toBe(text);
    expect((await streamed(file(text, true))).toString()).toBe(text);
  });

  it('reports progress in file bytes, ending at the file size', async () => {
    for (const gzip of [false, true]) {
      const path = file('a b c\n'.repeat(500_000), gzip);
      const calls: [number, number][] = [];
      await streamTextFile(path, () => {}, { onProgress: (read, total) => calls.push([read, total]) });
      const size = (gzip ? gzipSync('a b c\n'.repeat(500_000)) : Buffer.from('a b c\n'.repeat(500_000))).length;
      expect(calls.at(-1)).toEqual([size, size]);
      for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
    }
  });

  it('rethrows what the consumer throws as it is', async () => {
    const failure = new RangeError('consumer failed');
    const failing = (): void => {
      throw failure;
    };
    await expect(streamTextFile(file('some text\n'), failing)).rejects.toBe(failure);
  });

  it('names the problem with unusable input before any byte reaches the consumer', async () => {
    const folder = join(directory, 'folder');
    mkdirSync(folder);
    const consumed: Uint8Array[] = [];
    const collect = (chunk: Uint8Array): void => void consumed.push(chunk);
    await expectInputDataError(streamTextFile(join(directory, 'missing.txt'), collect), /file not found/, 'reason');
    await expectInputDataError(streamTextFile(folder, collect), /is a directory/, 'reason');
    await expectInputDataError(streamTextFile(file(Buffer.from('text\0with\0nul')), collect), /looks binary.*NUL/, 'reason');
    await expectInputDataError(streamTextFile(file(Buffer.from('text\0with\0nul'), true), collect), /looks binary.*NUL/, 'reason');
    const truncated = gzipSync(Buffer.from('some words here\n'.repeat(1000))).subarray(0, 40);
    await expectInputDataError(streamTextFile(file(truncated), collect), /corrupt gzip|cannot read/, 'reason');
    expect(consumed.filter((chunk) => chunk.includes(0))).toEqual([]);
  });
});

describe('readTextLines', () => {
  it('splits lines and counts replaced invalid UTF-8, not valid U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' ok\n\ufffd kept\nlast')]);
    const lines: string[] = [];
    const { replacedSequences } = await readTextLines(file(bytes), (line) => lines.push(line));
    expect(lines).toEqual(['caf\ufffd ok', '\ufffd kept', 'last']);
    expect(replacedSequences).toBe(1);
  });
});

describe('requireReadableFile', () => {
  it('names the missing input', async () => {
    await expectInputDataError(requireReadableFile(join(directory, 'absent.txt'), 'validation file'), /validation file does not exist/, 'reason');
    await expect(requireReadableFile(file('x'), 'training file')).resolves.toBeUndefined();
  });
});
