import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { artifactStoreFor, type ArtifactStore } from '@blazefleet/artifact-store';
import { startMotoServer, uniqueBucketName, type MotoServer } from '@blazefleet/artifact-store/testing';

/** What a test file of runTrial works with: a temporary directory, a work root and a bucket of its own on moto. */
export interface TrialTestbed {
  readonly directory: string;
  readonly workRoot: string;
  readonly bucket: string;
  /** A raw S3 client of the moto server, for putting objects in place. */
  readonly client: S3Client;
  /** The stores of URIs, S3 ones on the moto server. */
  stores(uri: string): ArtifactStore;
}

/**
 * Sets up the test file's testbed before its tests and removes it after them. After each test the work root must be
 * empty again: every attempt removes its trial directory, whatever its outcome.
 */
export function trialTestbed(label: string): TrialTestbed {
  const directory = mkdtempSync(join(tmpdir(), `${label}-`));
  const workRoot = join(directory, 'work');
  mkdirSync(workRoot);
  const bucket = uniqueBucketName(label);
  let moto: MotoServer | undefined;
  let client: S3Client | undefined;
  beforeAll(async () => {
    moto = await startMotoServer();
    client = new S3Client({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
    rmSync(directory, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(readdirSync(workRoot)).toEqual([]);
  });
  return {
    directory,
    workRoot,
    bucket,
    get client() {
      return client!;
    },
    stores: (uri) => artifactStoreFor(uri, { endpoint: moto!.endpoint, region: moto!.region, credentials: moto!.credentials }),
  };
}
