import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeModelArchive, writeWord2VecText, type WordVectors } from '@blazefleet/algorithms';
import { InputObjectNotFoundError, S3ArtifactStore } from '@blazefleet/artifact-store';
import { startMotoServer, uniqueBucketName, type MotoServer } from '@blazefleet/artifact-store/testing';
import { InputDataError } from '@blazefleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../algorithms/src/testing/temporary-directory.js';
import { numberedWords } from '../../algorithms/src/testing/test-vectors.js';
import { withLocalModel } from './model-source.js';
import { closeServedModel, loadServedModel, type ServedModel } from './served-model.js';
import { randomVectors, trainTinyClassifier } from './testing/tiny-models.js';

const directory = temporaryDirectory('model-source-');
const vectors = randomVectors(numberedWords(50), 6, 8);
const outputDir = join(directory, 'output');
const archive = join(outputDir, 'model.tar.gz');
let moto: MotoServer;
let store: S3ArtifactStore;
const bucket = uniqueBucketName('model-source');

beforeAll(async () => {
  mkdirSync(outputDir);
  await writeWord2VecText(join(outputDir, 'vectors.txt'), vectors);
  await writeModelArchive(outputDir, ['vectors.txt'], archive);
  moto = await startMotoServer();
  store = new S3ArtifactStore({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
  await store.createBucket(`s3://${bucket}`);
  await store.upload(archive, `s3://${bucket}/jobs/job-1/output/model.tar.gz`);
});
afterAll(() => moto?.stop());

/** The word vectors a source loads to. */
async function loadedVectors(source: string, options: Parameters<typeof loadServedModel>[1] = {}): Promise<WordVectors> {
  const model: ServedModel = await loadServedModel(source, options);
  await closeServedModel(model);
  if (model.kind !== 'word-vectors') throw new Error(`expected word vectors from ${source}, got a ${model.kind}`);
  return model.vectors;
}

describe('loadServedModel', () => {
  it.each([
    ['a training output directory', () => outputDir],
    ['a model file', () => join(outputDir, 'vectors.txt')],
    ['a model.tar.gz', () => archive],
    ['a file:// URI of a model.tar.gz', () => `file://${archive}`],
    ['a file:// URI of a directory', () => `file://${outputDir}`],
  ])('loads word vectors from %s', async (_name, source) => {
    const loaded = await loadedVectors(source());
    expect(loaded.words).toEqual(vectors.words);
    expect(Array.from(loaded.matrix)).toEqual(Array.from(vectors.matrix));
  });

  it('downloads an s3:// model.tar.gz from an S3-compatible server', async () => {
    const artifactStore = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
    const loaded = await loadedVectors(`s3://${bucket}/jobs/job-1/output/model.tar.gz`, { artifactStore });
    expect(Array.from(loaded.matrix)).toEqual(Array.from(vectors.matrix));
    await expect(loadServedModel(`s3://${bucket}/jobs/none/model.tar.gz`, { artifactStore })).rejects.toThrow(InputObjectNotFoundError);
  });

  it('loads a classifier from a supervised training output', async () => {
    const model = await loadServedModel(await trainTinyClassifier(directory));
    expect(model.kind).toBe('classifier');
  });

  it('refuses missing sources and archives without a model, naming the source', async () => {
    const missing = join(directory, 'missing');
    await expect(loadServedModel(missing)).rejects.toThrow(new InputDataError(missing, 'no such file or directory'));
    const notAnArchive = join(directory, 'notes.txt.gz');
    writeFileSync(notAnArchive, gzipSync('just some text\n'));
    await expect(loadServedModel(notAnArchive)).rejects.toThrow(/notes\.txt\.gz: is gzip but no model archive/);
    await expect(loadServedModel('http://example.com/model.tar.gz')).rejects.toThrow(/unsupported scheme 'http'/);
  });

  it('stops when its signal is aborted', async () => {
    const aborted = AbortSignal.abort(new Error('interrupted'));
    await expect(loadServedModel(outputDir, { signal: aborted })).rejects.toThrow(/interrupted/);
  });
});

describe('withLocalModel', () => {
  it('removes what it extracted once the model is loaded', async () => {
    let extracted = '';
    await withLocalModel(archive, async (path) => {
      extracted = path;
      expect(existsSync(join(path, 'vectors.txt'))).toBe(true);
    });
    expect(extracted).not.toBe(archive);
    expect(existsSync(extracted)).toBe(false);
  });
});
