import { describe, expect, it } from 'vitest';
import { artifactStoreFor } from './artifact-store-for.js';
import { ArtifactStoreOptionError, ArtifactUriError } from './errors.js';
import { LocalArtifactStore } from './local-artifact-store.js';
import { S3ArtifactStore } from './s3-artifact-store.js';

describe('artifactStoreFor', () => {
  it('picks the store by scheme', () => {
    expect(artifactStoreFor('s3://bucket/output', { endpoint: 'http://127.0.0.1:9' })).toBeInstanceOf(S3ArtifactStore);
    expect(artifactStoreFor('file:///tmp/output')).toBeInstanceOf(LocalArtifactStore);
    expect(artifactStoreFor('file://output')).toBeInstanceOf(LocalArtifactStore);
  });

  it('rejects a malformed URI and an option out of range', () => {
    expect(() => artifactStoreFor('gs://bucket/output')).toThrow(ArtifactUriError);
    expect(() => artifactStoreFor('s3://bucket/output', { endpoint: 'http://127.0.0.1:9', partSize: 1024 })).toThrow(
      "artifact store option 'partSize': expected an integer of at least 5242880 (5 MiB), got 1024",
    );
    expect(() => artifactStoreFor('file:///tmp/output', { concurrency: 0 })).toThrow(ArtifactStoreOptionError);
  });
});
