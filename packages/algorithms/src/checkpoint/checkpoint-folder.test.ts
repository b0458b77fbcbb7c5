import { mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { CheckpointFolder, CorruptCheckpointError, type CheckpointContents } from './checkpoint-folder.js';

const work = temporaryDirectory('checkpoint-folder-test-');

function contents(epoch: number, seed: number): CheckpointContents {
  const random = seededRandom(seed);
  return {
    epoch,
    state: { note: `epoch ${epoch}`, values: [0.1, 1 / 3, -2e-300] },
    matrices: { input: Float32Array.from({ length: 300 }, () => random() - 0.5), output: new Float32Array(0) },
  };
}

async function corruption(folder: CheckpointFolder, path: string): Promise<string> {
  const error = await folder.read(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CorruptCheckpointError);
  return (error as CorruptCheckpointError).reason;
}

describe('CheckpointFolder', () => {
  it('reads back what it wrote, bit for bit', async () => {
    const folder = new CheckpointFolder(join(work, 'roundtrip', 'created'));
    const written = contents(3, 1);
    const path = await folder.write(written);
    expect(path).toBe(join(work, 'roundtrip', 'created', 'epoch-3'));
    expect(await folder.list()).toEqual([path]);
    expect(await folder.read(path)).toEqual(written);
  });

  it('keeps only the latest checkpoint, removes leftovers of interrupted writes and leaves other files alone', async () => {
    const dir = join(work, 'latest');
    mkdirSync(join(dir, '.writing-epoch-crashed'), { recursive: true });
    writeFileSync(join(dir, '.writing-epoch-crashed', 'input.f32'), 'half');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const folder = new CheckpointFolder(dir);
    await folder.write(contents(1, 1));
    await folder.write(contents(2, 2));
    expect(readdirSync(dir).sort()).toEqual(['epoch-2', 'notes.txt']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('not ours');
  });

  it('lists checkpoints by epoch, the most first', async () => {
    const dir = join(work, 'listed');
    for (const name of ['epoch-9', 'epoch-10', 'epoch-x', 'other']) mkdirSync(join(dir, name), { recursive: true });
    expect(await new CheckpointFolder(dir).list()).toEqual([join(dir, 'epoch-10'), join(dir, 'epoch-9')]);
    expect(await new CheckpointFolder(join(work, 'absent')).list()).toEqual([]);
  });

  it('reports truncated, altered, missing and malformed parts as corrupt', async () => {
    const cases: [string, (path: string) => void, RegExp][] = [
      ['truncated matrix', (path) => truncateSync(join(path, 'input.f32'), 1000), /input\.f32: 1000 bytes, expected 1200/],
      ['altered matrix', (path) => writeFileSync(join(path, 'input.f32'), Buffer.alloc(1200)), /input\.f32: content does not match its SHA-256/],
      ['missing matrix', (path) => rmSync(join(path, 'input.f32')), /input\.f32: .*no such file/],
      ['truncated JSON', (path) => truncateSync(join(path, 'checkpoint.json'), 40), /unreadable checkpoint\.json/],
      ['not a checkpoint', (path) => writeFileSync(join(path, 'checkpoint.json'), '{"hello": 1}'), /not a Blazefleet checkpoint/],
      [
        'another format version',
        (path) => writeFileSync(join(path, 'checkpoint.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(path, 'checkpoint.json'), 'utf8')), version: 99 })),
        /format version 99/,
      ],
    ];
    for (const [name, damage, reason] of cases) {
      const folder = new CheckpointFolder(join(work, 'corrupt', name.replace(/\W/g, '-')));
      const path = await folder.write(contents(1, 4));
      damage(path);
      expect(await corruption(folder, path), name).toMatch(reason);
    }
  });
});
