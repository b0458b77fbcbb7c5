import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactStaging, publishModelArtifacts } from './artifact-staging.js';
import { archiveEntries } from './testing/archive-entries.js';
import { temporaryDirectory } from './testing/temporary-directory.js';

const work = temporaryDirectory('artifact-staging-test-');

/** Writes `names`, failing at `failAt` like a writer that runs out of disk. */
async function stageAndPublish(outputDir: string, names: string[], failAt?: string): Promise<string[]> {
  const staging = await ArtifactStaging.open(outputDir);
  try {
    for (const name of names) {
      if (name === failAt) throw new Error(`cannot write ${name}`);
      await writeFile(staging.path(name), `new ${name}`);
      // Nothing is visible in the output directory before publishing.
      expect(existsSync(join(outputDir, name)) && readFileSync(join(outputDir, name), 'utf8') === `new ${name}`).toBe(false);
    }
    return await staging.publish(names);
  } catch (error) {
    await staging.discard();
    throw error;
  }
}

describe('ArtifactStaging', () => {
  it('publishes all artifacts, replacing old ones and leaving unrelated files alone', async () => {
    const out = join(work, 'existing');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, 'vectors.txt'), 'old');
    expect(await stageAndPublish(out, ['vectors.txt', 'eval.json'])).toEqual(['vectors.txt', 'eval.json']);
    expect(readdirSync(out).sort()).toEqual(['eval.json', 'notes.txt', 'vectors.txt']);
    expect(readFileSync(join(out, 'vectors.txt'), 'utf8')).toBe('new vectors.txt');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('leaves an existing output directory exactly as it was when a writer fails', async () => {
    const out = join(work, 'failing');
    mkdirSync(out);
    writeFileSync(join(out, 'vectors.txt'), 'old');
    await expect(stageAndPublish(out, ['vectors.txt', 'vectors.bin', 'eval.json'], 'eval.json')).rejects.toThrow('cannot write eval.json');
    expect(readdirSync(out)).toEqual(['vectors.txt']);
    expect(readFileSync(join(out, 'vectors.txt'), 'utf8')).toBe('old');
  });

  it('removes the directories it created when a writer fails, and only those', async () => {
    const parent = join(work, 'parent');
    mkdirSync(parent);
    await expect(stageAndPublish(join(parent, 'a', 'b', 'c'), ['vectors.txt'], 'vectors.txt')).rejects.toThrow();
    expect(existsSync(parent)).toBe(true);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('creates a missing output directory on success', async () => {
    const out = join(work, 'new', 'output');
    await stageAndPublish(out, ['vectors.txt']);
    expect(readdirSync(out)).toEqual(['vectors.txt']);
  });

  it('gives concurrent runs separate staging folders', async () => {
    const out = join(work, 'concurrent');
    const [a, b] = await Promise.all([ArtifactStaging.open(out), ArtifactStaging.open(out)]);
    expect(a.dir).not.toBe(b.dir);
    await a.discard();
    await b.discard();
  });
});

describe('publishModelArtifacts', () => {
  it('publishes the staged files with model.tar.gz holding them, and logs it', async () => {
    const out = join(work, 'model-artifacts');
    const logs: string[] = [];
    const result = await publishModelArtifacts(
      out,
      async (staging) => {
        await writeFile(staging.path('model.bin'), 'weights');
        await writeFile(staging.path('metrics.json'), '{}');
        return { files: ['model.bin', 'metrics.json'], accuracy: 0.5 };
      },
      (message) => logs.push(message),
    );
    expect(result).toEqual({ files: ['model.bin', 'metrics.json', 'model.tar.gz'], accuracy: 0.5, outputDir: out });
    expect(readdirSync(out).sort()).toEqual(['metrics.json', 'model.bin', 'model.tar.gz']);
    expect((await archiveEntries(join(out, 'model.tar.gz'))).map((entry) => entry.path)).toEqual(['model.bin', 'metrics.json']);
    expect(logs).toEqual(['Artifacts written']);
  });

  it('leaves nothing of a failed job behind and rethrows its error', async () => {
    const parent = join(work, 'failed-job');
    mkdirSync(parent);
    const failure = new Error('training diverged');
    const run = publishModelArtifacts(join(parent, 'out'), async (staging) => {
      await writeFile(staging.path('model.bin'), 'half');
      throw failure;
    });
    await expect(run).rejects.toBe(failure);
    expect(readdirSync(parent)).toEqual([]);
  });
});
