import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStoreError, InputObjectNotFoundError } from './errors.js';
import { S3ArtifactStore } from './s3-artifact-store.js';
import { describeArtifactStoreContract } from './testing/artifact-store-contract.js';
import { startMotoServer, uniqueBucketName, type MotoServer } from './testing/moto-server.js';

let moto: MotoServer;
let store: S3ArtifactStore;
let client: S3Client;
const bucket = uniqueBucketName('s3-artifact-store');
const directory = mkdtempSync(join(tmpdir(), 's3-artifact-store-'));

beforeAll(async () => {
  moto = await startMotoServer();
  const connection = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
  store = new S3ArtifactStore({ ...connection, partSize: 5 * 1024 * 1024 });
  client = new S3Client({ ...connection, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
  rmSync(directory, { recursive: true, force: true });
});

describeArtifactStoreContract('S3ArtifactStore on moto', () => ({ store, root: `s3://${bucket}/contract`, foreignUri: `file://${directory}/x` }));

describe('S3ArtifactStore', () => {
  it('creates a bucket, and again without error when it exists', async () => {
    const created = uniqueBucketName('created');
    await store.createBucket(`s3://${created}/corpus/`);
    await store.createBucket(`s3://${created}`);
    await store.putObject(`s3://${created}/corpus/a.txt`, 'a b c');
    expect((await store.list(`s3://${created}/corpus`)).map((o) => o.relativeKey)).toEqual(['a.txt']);
  });

  it('sends a file larger than the part size as a multipart upload', async () => {
    const path = join(directory, 'multipart.bin');
    writeFileSync(path, Buffer.alloc(12 * 1024 * 1024, 7));
    await store.upload(path, `s3://${bucket}/multipart/model.tar.gz`);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'multipart/model.tar.gz' }));
    // A multipart ETag ends in the number of parts: 12 MB in 5 MiB parts is three.
    expect(head.ETag).toMatch(/-3"$/);
    expect(head.ContentLength).toBe(12 * 1024 * 1024);
  });

  it('downloads an object and the folder of the same name together, skipping folder markers', async () => {
    for (const key of ['both/data', 'both/data/part-1.txt', 'both/data/sub/']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key.endsWith('/') ? '' : key, ContentLength: key.endsWith('/') ? 0 : key.length }));
    }
    const target = join(directory, 'both');
    expect(await store.download(`s3://${bucket}/both/data`, target)).toEqual([join(target, 'data'), join(target, 'part-1.txt')]);
    expect(readFileSync(join(target, 'part-1.txt'), 'utf8')).toBe('both/data/part-1.txt');
    // The marker is no object to list, but deleting the folder removes it too.
    expect(await store.deletePrefix(`s3://${bucket}/both/data`)).toBe(3);
    expect(await store.deletePrefix(`s3://${bucket}/both`)).toBe(0);
  });

  it('refuses to write a key with an empty segment outside the target directory', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'odd/a//b.txt', Body: 'b' }));
    const error = await store.download(`s3://${bucket}/odd`, join(directory, 'odd')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactStoreError);
    expect((error as ArtifactStoreError).message).toContain('odd/a//b.txt');
    expect((error as ArtifactStoreError).retryable).toBe(false);
  });

  it('reports a missing bucket as a non-retryable NoSuchBucket naming the URI', async () => {
    const uri = `s3://${uniqueBucketName('missing')}/input`;
    const error = await store.list(uri).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactStoreError);
    expect(error).not.toBeInstanceOf(InputObjectNotFoundError);
    expect(error).toMatchObject({ code: 'NoSuchBucket', retryable: false });
    expect((error as Error).message).toContain(uri);
  });

  it('reports a refused connection as retryable, after the configured attempts', async () => {
    const credentials = { accessKeyId: 'AKIACLOSEDPORTTEST', secretAccessKey: 'secret-that-must-not-leak' };
    const closed = new S3ArtifactStore({ endpoint: 'http://127.0.0.1:1', credentials, maxAttempts: 1 });
    const error = await closed.getObject(`s3://${bucket}/metrics.json`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactStoreError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
    const shown = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    expect(shown).not.toContain(credentials.accessKeyId);
    expect(shown).not.toContain(credentials.secretAccessKey);
  });
});
