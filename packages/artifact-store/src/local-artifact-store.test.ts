import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStoreError, ArtifactUriError } from './errors.js';
import { LocalArtifactStore } from './local-artifact-store.js';
import { describeArtifactStoreContract } from './testing/artifact-store-contract.js';

const directory = mkdtempSync(join(tmpdir(), 'local-artifact-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const store = new LocalArtifactStore();

describeArtifactStoreContract('LocalArtifactStore', () => ({ store, root: `file://${directory}/contract`, foreignUri: 's3://bucket/key' }));

describe('LocalArtifactStore', () => {
  it('takes file:// paths relative to the current directory', async () => {
    const relativeUri = `file://${relative(process.cwd(), join(directory, 'relative'))}/metrics.json`;
    await store.putObject(relativeUri, '{"loss":1}');
    expect((await store.getObject(`file://${directory}/relative/metrics.json`)).toString()).toBe('{"loss":1}');
    expect((await store.list(relativeUri))[0]?.uri).toBe(`file://${directory}/relative/metrics.json`);
  });

  it('leaves no temporary file behind when a write fails, and keeps what was there', async () => {
    const folder = join(directory, 'atomic');
    mkdirSync(join(folder, 'model.tar.gz'), { recursive: true });
    const error = await store.putObject(`file://${folder}/model.tar.gz`, 'bytes').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactStoreError);
    expect((error as ArtifactStoreError).retryable).toBe(false);
    expect(readdirSync(folder)).toEqual(['model.tar.gz']);
    expect(readdirSync(join(folder, 'model.tar.gz'))).toEqual([]);
  });

  it('does not list the temporary file of a write in progress', async () => {
    const folder = join(directory, 'in-progress');
    mkdirSync(folder);
    writeFileSync(join(folder, 'done.txt'), 'done');
    writeFileSync(join(folder, '.model.tar.gz.partial-0123456789ab'), 'half');
    expect((await store.list(`file://${folder}`)).map((object) => object.relativeKey)).toEqual(['done.txt']);
  });

  it('refuses to delete the root directory', async () => {
    await expect(store.deletePrefix('file:///')).rejects.toThrow(ArtifactUriError);
  });
});
