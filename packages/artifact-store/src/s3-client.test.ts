import { describe, expect, it } from 'vitest';
import { ArtifactStoreOptionError } from './errors.js';
import { s3ClientConfig, s3ClientFor } from './s3-client.js';

const requestHandler = { connectionTimeout: 10_000, socketTimeout: 60_000 };

describe('s3ClientConfig', () => {
  it('reads the endpoint from AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL, and then addresses buckets by path', () => {
    const env = { AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_ENDPOINT_URL: 'http://other:1' };
    expect(s3ClientConfig({}, env)).toEqual({ endpoint: 'http://minio:9000', forcePathStyle: true, region: 'us-east-1', maxAttempts: 3, requestHandler });
    expect(s3ClientConfig({}, { AWS_ENDPOINT_URL: 'http://other:1' })).toMatchObject({ endpoint: 'http://other:1', forcePathStyle: true });
  });

  it('prefers explicit options to the environment', () => {
    const credentials = { accessKeyId: 'id', secretAccessKey: 'secret' };
    const config = s3ClientConfig(
      { endpoint: 'https://s3.example.com', region: 'eu-west-1', credentials, maxAttempts: 5 },
      { AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_REGION: 'us-west-2' },
    );
    expect(config).toEqual({ endpoint: 'https://s3.example.com', forcePathStyle: true, region: 'eu-west-1', credentials, maxAttempts: 5, requestHandler });
  });

  it('leaves AWS itself, virtual-hosted buckets and the credential chain to the SDK when nothing is set', () => {
    expect(s3ClientConfig({}, {})).toEqual({ maxAttempts: 3, requestHandler });
    expect(s3ClientConfig({}, { AWS_REGION: 'ap-south-1', AWS_ENDPOINT_URL_S3: '' })).toEqual({ region: 'ap-south-1', maxAttempts: 3, requestHandler });
  });

  it.each([
    [{ endpoint: 'minio:9000' }, "'endpoint': expected an http:// or https:// URL"],
    [{ maxAttempts: 0 }, "'maxAttempts': expected a positive integer, got 0"],
    [{ maxAttempts: 1.5 }, "'maxAttempts': expected a positive integer, got 1.5"],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => s3ClientConfig(options, {})).toThrow(ArtifactStoreOptionError);
    expect(() => s3ClientConfig(options, {})).toThrow(message);
  });
});

describe('s3ClientFor', () => {
  it('shares one client between equal options, credentials compared by value', () => {
    const options = () => ({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const client = s3ClientFor(options());
    expect(s3ClientFor(options())).toBe(client);
    expect(s3ClientFor({ ...options(), endpoint: 'http://127.0.0.1:10' })).not.toBe(client);
    expect(s3ClientFor({ ...options(), region: 'eu-west-1' })).not.toBe(client);
    expect(s3ClientFor({ ...options(), credentials: { accessKeyId: 'a', secretAccessKey: 'c' } })).not.toBe(client);
    expect(s3ClientFor({ ...options(), maxAttempts: 1 })).not.toBe(client);
  });
});
