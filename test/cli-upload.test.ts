import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { S3ArtifactStore } from '../packages/artifact-store/src/index.js';
import { startMotoServer, uniqueBucketName, type MotoServer } from '../packages/artifact-store/src/testing/moto-server.js';
import { blazefleet } from './blazefleet-cli.js';

const dir = temporaryDirectory('blazefleet-upload-');
const bucket = uniqueBucketName('cli-upload');
let moto: MotoServer;
let env: NodeJS.ProcessEnv;
let store: S3ArtifactStore;

beforeAll(async () => {
  moto = await startMotoServer();
  env = {
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    AWS_REGION: moto.region,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
  };
  store = new S3ArtifactStore({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
});
afterAll(async () => {
  await moto?.stop();
});

describe('blazefleet upload', () => {
  it('creates the bucket and puts a file into a folder URI under its own name', async () => {
    writeFileSync(join(dir, 'corpus.txt'), 'the quick brown fox\n');
    const run = blazefleet(['upload', join(dir, 'corpus.txt'), `s3://${bucket}/corpus/`, '--create-bucket'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`s3://${bucket}/corpus/corpus.txt`);
    expect((await store.getObject(`s3://${bucket}/corpus/corpus.txt`)).toString()).toBe('the quick brown fox\n');
  });

  it('copies a folder at its relative paths', async () => {
    mkdirSync(join(dir, 'channel/part'), { recursive: true });
    writeFileSync(join(dir, 'channel/a.txt'), 'a');
    writeFileSync(join(dir, 'channel/part/b.txt'), 'b');
    const run = blazefleet(['upload', join(dir, 'channel'), `s3://${bucket}/channel`], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([`s3://${bucket}/channel/a.txt`, `s3://${bucket}/channel/part/b.txt`]);
  });

  it('names what is wrong: a missing source, a missing bucket, --create-bucket off S3', () => {
    const missing = blazefleet(['upload', join(dir, 'nope.txt'), `s3://${bucket}/x`], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or folder');
    writeFileSync(join(dir, 'x.txt'), 'x');
    const noBucket = blazefleet(['upload', join(dir, 'x.txt'), `s3://${uniqueBucketName('absent')}/x.txt`], { env });
    expect(noBucket.code).not.toBe(0);
    expect(noBucket.stderr).toMatch(/bucket/i);
    const local = blazefleet(['upload', join(dir, 'x.txt'), `file://${dir}/copy/`, '--create-bucket'], { env });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('--create-bucket');
  });
});
