import { AccessDenied, NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { artifactStoreErrorFrom, isRetryableError } from './error-classification.js';
import { ArtifactStoreError, ArtifactUriError, InputObjectNotFoundError } from './errors.js';

const metadata = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'request-1', attempts: 3, totalRetryDelay: 0 });
const serviceError = (name: string, httpStatusCode: number, fault: 'client' | 'server', message = 'Please reduce your request rate.') =>
  new S3ServiceException({ name, $fault: fault, $metadata: metadata(httpStatusCode), message });
const systemError = (code: string) => Object.assign(new Error(`${code}: connect 127.0.0.1:9000`), { code });

describe('isRetryableError', () => {
  it.each([
    ['NoSuchBucket', new NoSuchBucket({ $metadata: metadata(404), message: 'The specified bucket does not exist' })],
    ['NoSuchKey', new NoSuchKey({ $metadata: metadata(404), message: 'The specified key does not exist.' })],
    ['AccessDenied', new AccessDenied({ $metadata: metadata(403), message: 'Access Denied' })],
    ['InvalidAccessKeyId', serviceError('InvalidAccessKeyId', 403, 'client')],
    ['an invalid URI', new ArtifactUriError('s3://', 'the bucket name is empty')],
    ['a missing input', new InputObjectNotFoundError('s3://bucket/train')],
    ['an aborted request', Object.assign(new Error('aborted'), { name: 'AbortError' })],
    ['a missing local file', systemError('ENOENT')],
    ['a plain string', 'failed'],
  ])('says %s is not retryable', (_, error) => {
    expect(isRetryableError(error)).toBe(false);
  });

  it.each([
    ['503 SlowDown', serviceError('SlowDown', 503, 'server')],
    ['500 InternalError', serviceError('InternalError', 500, 'server')],
    ['a 502 of unknown name', serviceError('UnknownError', 502, 'server')],
    ['429 throttling', serviceError('TooManyRequests', 429, 'client')],
    ['a 400 RequestTimeout', serviceError('RequestTimeout', 400, 'client')],
    ['a reset connection', systemError('ECONNRESET')],
    ['a refused connection', systemError('ECONNREFUSED')],
    ['a timeout', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['an error caused by a reset connection', new Error('upload failed', { cause: systemError('ECONNRESET') })],
    ['a retryable ArtifactStoreError', new ArtifactStoreError('s3://bucket/x', 'SlowDown', true, 'SlowDown')],
  ])('says %s is retryable', (_, error) => {
    expect(isRetryableError(error)).toBe(true);
  });
});

describe('artifactStoreErrorFrom', () => {
  it('keeps the name, status and message of an SDK error, and its classification', () => {
    const error = artifactStoreErrorFrom(serviceError('SlowDown', 503, 'server'), 's3://bucket/model.tar.gz');
    expect(error).toBeInstanceOf(ArtifactStoreError);
    expect(error).toMatchObject({ uri: 's3://bucket/model.tar.gz', code: 'SlowDown', retryable: true });
    expect(error.message).toBe('s3://bucket/model.tar.gz: SlowDown: Please reduce your request rate. (HTTP 503)');
  });

  it('turns NoSuchKey into InputObjectNotFoundError naming the URI', () => {
    const error = artifactStoreErrorFrom(new NoSuchKey({ $metadata: metadata(404), message: 'gone' }), 's3://bucket/train.txt');
    expect(error).toBeInstanceOf(InputObjectNotFoundError);
    expect(error.message).toContain('s3://bucket/train.txt');
  });

  it('carries no response fields of the SDK error, such as the access key id of a rejected signature', () => {
    const rejected = Object.assign(serviceError('SignatureDoesNotMatch', 403, 'client'), {
      AWSAccessKeyId: 'AKIAEXAMPLEKEYID1234',
      StringToSign: 'AWS4-HMAC-SHA256 secret-bearing',
    });
    const error = artifactStoreErrorFrom(rejected, 's3://bucket/x');
    expect(error.retryable).toBe(false);
    const shown = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
    expect(shown).not.toContain('AKIAEXAMPLEKEYID1234');
    expect(shown).not.toContain('secret-bearing');
  });

  it('passes an ArtifactStoreError through unchanged', () => {
    const original = new ArtifactUriError('x', 'expected s3://bucket/key or file://path');
    expect(artifactStoreErrorFrom(original, 'other')).toBe(original);
  });
});
