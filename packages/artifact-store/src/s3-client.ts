import { createHash } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { maxAttemptsOption, type ArtifactStoreOptions } from './artifact-store-options.js';
import { ArtifactStoreOptionError } from './errors.js';

// Without them a silent network leaves a request waiting forever; with them it fails with a retryable TimeoutError.
const SOCKET_TIMEOUTS = { connectionTimeout: 10_000, socketTimeout: 60_000 };

/**
 * The S3 client configuration for `options`, read with the environment `env` for what they leave out. A custom
 * endpoint switches to path-style addressing (the only style most S3-compatible servers answer) and a default region.
 */
export function s3ClientConfig(options: ArtifactStoreOptions, env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = nonEmpty(options.endpoint) ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new ArtifactStoreOptionError('endpoint', 'an http:// or https:// URL', JSON.stringify(endpoint));
  }
  const region = nonEmpty(options.region) ?? nonEmpty(env.AWS_REGION) ?? (endpoint === undefined ? undefined : 'us-east-1');
  const config: S3ClientConfig = { maxAttempts: maxAttemptsOption(options), requestHandler: SOCKET_TIMEOUTS };
  if (endpoint !== undefined) Object.assign(config, { endpoint, forcePathStyle: true });
  if (region !== undefined) config.region = region;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return config;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

const clients = new Map<string, S3Client>();
const credentialProviderIds = new WeakMap<object, number>();
let nextCredentialProviderId = 0;

/** One S3 client per endpoint, region, attempt count and credentials, shared by every store made with them. */
export function s3ClientFor(options: ArtifactStoreOptions): S3Client {
  const config = s3ClientConfig(options);
  const key = [config.endpoint, config.region, config.maxAttempts, credentialsKey(options.credentials)].join('\n');
  let client = clients.get(key);
  if (client === undefined) {
    client = new S3Client(config);
    clients.set(key, client);
  }
  return client;
}

// Static credentials are keyed by value (callers often build them afresh per call) through a digest, so that the
// cache holds no second copy of a secret; a provider function is keyed by identity.
function credentialsKey(credentials: ArtifactStoreOptions['credentials']): string {
  if (credentials === undefined) return 'default chain';
  if (typeof credentials === 'function') {
    let id = credentialProviderIds.get(credentials);
    if (id === undefined) credentialProviderIds.set(credentials, (id = nextCredentialProviderId++));
    return `provider ${id}`;
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return createHash('sha256').update(JSON.stringify([accessKeyId, secretAccessKey, sessionToken ?? null])).digest('hex');
}
