import { ArtifactStoreError, InputObjectNotFoundError } from './errors.js';

// The same families the AWS SDK's own retry strategy treats as transient, so that a caller retrying a whole job
// agrees with the SDK retrying one request.
const RETRYABLE_ERROR_NAMES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'InternalError',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TimeoutError',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

const RETRYABLE_SYSTEM_CODES = new Set([
  'EAGAIN',
  'EAI_AGAIN',
  'EBUSY',
  'ECONNABORTED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'EMFILE',
  'ENETUNREACH',
  'ENFILE',
  'ENOTFOUND',
  'EPIPE',
  'ETIMEDOUT',
]);

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/**
 * Whether trying again later may succeed: throttling (429, 503 SlowDown), server errors (5xx), timeouts and dropped
 * or refused connections are retryable; client errors (a missing bucket or object, denied access, a malformed URI or
 * request) are not. An ArtifactStoreError answers with its own `retryable` flag.
 */
export function isRetryableError(error: unknown): boolean {
  return classify(error, 0);
}

function classify(error: unknown, depth: number): boolean {
  if (error instanceof ArtifactStoreError) return error.retryable;
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as ErrorFields;
  if (fields.name === 'AbortError') return false;
  if (fields.$retryable !== undefined) return true;
  if (typeof fields.name === 'string' && RETRYABLE_ERROR_NAMES.has(fields.name)) return true;
  if (typeof fields.code === 'string' && RETRYABLE_SYSTEM_CODES.has(fields.code)) return true;
  const status = fields.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status === 429 || status >= 500)) return true;
  return fields.cause !== undefined && depth < 8 && classify(fields.cause, depth + 1);
}

/**
 * The ArtifactStoreError for anything an operation on `uri` threw. Only the error's name, status, code and message
 * are kept: the SDK's error objects carry response fields (such as the access key id of a rejected signature) that
 * must not travel on into logs.
 */
export function artifactStoreErrorFrom(error: unknown, uri: string): ArtifactStoreError {
  if (error instanceof ArtifactStoreError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields;
  if (fields.name === 'NoSuchKey' && fields.$metadata !== undefined) return new InputObjectNotFoundError(uri);
  const status = fields.$metadata?.httpStatusCode;
  const code =
    typeof fields.code === 'string' ? fields.code : fields.$metadata !== undefined && typeof fields.name === 'string' ? fields.name : undefined;
  const message = typeof fields.message === 'string' && fields.message !== '' ? fields.message : String(error);
  const parts = [code !== undefined && !message.startsWith(code) ? `${code}: ${message}` : message];
  if (typeof status === 'number') parts.push(`(HTTP ${status})`);
  return new ArtifactStoreError(uri, parts.join(' '), isRetryableError(error), code);
}

/** Runs one store operation on `uri`, turning whatever it throws into an ArtifactStoreError. */
export async function withArtifactStoreErrors<Result>(uri: string, operation: () => Promise<Result>): Promise<Result> {
  try {
    return await operation();
  } catch (error) {
    throw artifactStoreErrorFrom(error, uri);
  }
}
