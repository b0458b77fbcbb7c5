import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { ArtifactStoreOptionError } from './errors.js';

/** How to reach S3 and how hard to push it; the local store reads only `concurrency`. */
export interface ArtifactStoreOptions {
  /**
   * S3 endpoint URL of an S3-compatible server (MinIO, moto, ...). Default: `AWS_ENDPOINT_URL_S3`, then
   * `AWS_ENDPOINT_URL`, else AWS itself. With a custom endpoint, buckets are addressed by path.
   */
  endpoint?: string;
  /** Default: `AWS_REGION`, else the SDK's profile configuration; `us-east-1` with a custom endpoint. */
  region?: string;
  /** Default: the SDK's standard credential chain (environment, profile, SSO, web identity, container, instance). */
  credentials?: S3ClientConfig['credentials'];
  /** Attempts per S3 request, by the SDK's own retry strategy with backoff (default 3). */
  maxAttempts?: number;
  /** Part size of multipart uploads in bytes, at least 5 MiB (default 8 MiB); smaller files go up in one request. */
  partSize?: number;
  /** Objects transferred at once by download, uploadDirectory and deletePrefix (default 8). */
  concurrency?: number;
}

const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;

export interface TransferSettings {
  partSize: number;
  concurrency: number;
}

/** The transfer settings of `options`, defaults filled in; ArtifactStoreOptionError names a field out of range. */
export function transferSettings(options: ArtifactStoreOptions): TransferSettings {
  return {
    partSize: integerOption('partSize', options.partSize, 8 * MIB, MIN_PART_SIZE, `an integer of at least ${MIN_PART_SIZE} (5 MiB)`),
    concurrency: integerOption('concurrency', options.concurrency, 8, 1, 'a positive integer'),
  };
}

/** `maxAttempts`, default filled in; ArtifactStoreOptionError when it is not a positive integer. */
export function maxAttemptsOption(options: ArtifactStoreOptions): number {
  return integerOption('maxAttempts', options.maxAttempts, 3, 1, 'a positive integer');
}

function integerOption(field: string, value: number | undefined, fallback: number, min: number, expected: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new ArtifactStoreOptionError(field, expected, value);
  return value;
}
