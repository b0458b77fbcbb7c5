import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, extract } from 'tar';
import { describe, expect, it } from 'vitest';
import { extractModelArchive, writeModelArchive } from './model-archive.js';
import { archiveEntries } from './testing/archive-entries.js';
import { temporaryDirectory } from './testing/temporary-directory.js';

const work = temporaryDirectory('model-archive-test-');

describe('writeModelArchive', () => {
  it('holds the given files at the archive root, with their contents', async () => {
    const dir = join(work, 'model');
    mkdirSync(dir);
    writeFileSync(join(dir, 'vectors.txt'), '2 1\na 0.5\nb -1\n');
    writeFileSync(join(dir, 'vectors.bin'), Buffer.from([1, 2, 3, 255]));
    writeFileSync(join(dir, 'unrelated.log'), 'not archived');
    const archive = join(work, 'model.tar.gz');
    await writeModelArchive(dir, ['vectors.txt', 'vectors.bin'], archive);
    expect((await archiveEntries(archive)).map((e) => e.path)).toEqual(['vectors.txt', 'vectors.bin']);
    const out = join(work, 'extracted');
    mkdirSync(out);
    await extract({ file: archive, cwd: out });
    expect(readFileSync(join(out, 'vectors.txt'), 'utf8')).toBe('2 1\na 0.5\nb -1\n');
    expect([...readFileSync(join(out, 'vectors.bin'))]).toEqual([1, 2, 3, 255]);
  });

  it('is byte-identical for identical files written at different times', async () => {
    const archives: Buffer[] = [];
    for (const [i, when] of [new Date('2001-01-01'), new Date('2024-06-01')].entries()) {
      const dir = join(work, `run-${i}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'eval.json'), '{"mean_rho": 0.5}');
      utimesSync(join(dir, 'eval.json'), when, when);
      await writeModelArchive(dir, ['eval.json'], join(dir, 'model.tar.gz'));
      archives.push(readFileSync(join(dir, 'model.tar.gz')));
      expect((await archiveEntries(join(dir, 'model.tar.gz')))[0]!.mtime).toBe(0);
    }
    expect(archives[0]!.equals(archives[1]!)).toBe(true);
  });

  it('fails when a named file is missing', async () => {
    await expect(writeModelArchive(work, ['no-such-file'], join(work, 'bad.tar.gz'))).rejects.toThrow();
  });
});

describe('extractModelArchive', () => {
  it('extracts what writeModelArchive wrote, and what the tar tool writes (folders included)', async () => {
    const dir = join(work, 'to-extract');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'eval.json'), '{"mean_rho": 0.5}');
    writeFileSync(join(dir, 'sub', 'model.txt'), 'x'.repeat(1000));
    const ours = join(work, 'ours.tar.gz');
    await writeModelArchive(dir, ['eval.json'], ours);
    const outOurs = join(work, 'extracted-ours');
    expect(await extractModelArchive(ours, outOurs)).toEqual(['eval.json']);
    expect(readFileSync(join(outOurs, 'eval.json'), 'utf8')).toBe('{"mean_rho": 0.5}');
    const theirs = join(work, 'theirs.tar.gz');
    await create({ gzip: true, file: theirs, cwd: dir }, ['eval.json', 'sub']);
    const outTheirs = join(work, 'extracted-theirs');
    expect((await extractModelArchive(theirs, outTheirs)).sort()).toEqual(['eval.json', 'sub/model.txt']);
    expect(readFileSync(join(outTheirs, 'sub', 'model.txt'), 'utf8')).toBe('x'.repeat(1000));
  });
});
