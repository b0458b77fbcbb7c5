import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectInputDataError } from './testing/expect-input-error.js';
import { textInputFiles } from './testing/text-input-files.js';
import { listTextInput, readTextLines, requireTextInput, streamTextFile, streamTextInput } from './text-file.js';

const { directory, file, folder } = textInputFiles('text-file');

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

describe('requireTextInput', () => {
  it('names the missing input, and a directory without input files', async () => {
    await expectInputDataError(requireTextInput(join(directory, 'absent.txt'), 'validation file'), /validation file does not exist/, 'reason');
    await expect(requireTextInput(file('x'), 'training file')).resolves.toBeUndefined();
    const empty = join(directory, 'required-empty');
    mkdirSync(empty);
    await expectInputDataError(requireTextInput(empty, 'training file'), /is a directory without input files/, 'reason');
  });
});

describe('directory input', () => {
  it('lists every file below the directory in S3 key order (UTF-8 bytes), skipping names that start with a dot', async () => {
    // UTF-16 order would put U+1F600 (a surrogate pair) before U+FF5E; UTF-8 byte order puts it after.
    const keys = ['b.txt', 'a/z.txt', 'a-b.txt', 'A.txt', 'é.txt', '\u{1F600}.txt', '\uFF5E.txt', 'a/deeper/c.txt.gz'];
    const root = folder('listed', Object.fromEntries([...keys, '.hidden.txt', '.git/config', 'a/.DS_Store'].map((key) => [key, 'x\n'])));
    const listed = await listTextInput(root);
    expect(listed.map((entry) => entry.key)).toEqual(['A.txt', 'a-b.txt', 'a/deeper/c.txt.gz', 'a/z.txt', 'b.txt', 'é.txt', '\uFF5E.txt', '\u{1F600}.txt']);
    expect(listed.map((entry) => entry.path)).toEqual(listed.map((entry) => join(root, entry.key)));
    const single = file('one file\n');
    expect(await listTextInput(single)).toEqual([{ path: single, key: basename(single), size: 9 }]);
  });

  it('rejects a directory without input files, hidden ones aside, naming it', async () => {
    const empty = folder('only-hidden', { '.hidden.txt': 'x\n', '.cache/data.txt': 'y\n' });
    mkdirSync(join(empty, 'empty-subfolder'));
    await expectInputDataError(listTextInput(empty), new RegExp(`^${empty}: is a directory without input files`));
    await expectInputDataError(streamTextInput(empty, () => {}), /is a directory without input files/, 'reason');
  });

  it('streams the files one after another, ending each with a line break, with progress over all of them', async () => {
    const root = folder('streamed', { '1.txt': 'one\ntwo', '2.txt.gz': 'three\n', '3.txt': '', '4.txt': 'four' });
    const chunks: Uint8Array[] = [];
    const calls: [number, number][] = [];
    await streamTextInput(root, (chunk) => chunks.push(Uint8Array.from(chunk)), { onProgress: (read, total) => calls.push([read, total]) });
    expect(Buffer.concat(chunks).toString()).toBe('one\ntwo\nthree\nfour\n');
    const total = (await listTextInput(root)).reduce((sum, entry) => sum + entry.size, 0);
    expect(calls.at(-1)).toEqual([total, total]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
  });

  it('reads lines of all files in order, no line running from one file into the next', async () => {
    const root = folder('lines', { 'b/2.txt.gz': 'gz line\nlast without break', 'a.txt': 'first\n', 'c.txt': 'after\n' });
    const lines: string[] = [];
    await readTextLines(root, (line) => lines.push(line));
    expect(lines).toEqual(['first', 'gz line', 'last without break', 'after']);
  });

  it('names the file of a directory that cannot be read', async () => {
    const root = folder('with-binary', { 'a.txt': 'fine\n' });
    writeFileSync(join(root, 'b.bin'), Buffer.from('text\0with\0nul'));
    await expectInputDataError(streamTextInput(root, () => {}), new RegExp(`^${join(root, 'b.bin')}: looks binary`));
  });
});
