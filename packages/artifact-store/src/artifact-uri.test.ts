import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatArtifactUri, parseArtifactUri } from './artifact-uri.js';
import { ArtifactUriError } from './errors.js';

describe('parseArtifactUri', () => {
  it.each([
    ['s3://bucket/key/prefix', { scheme: 's3', bucket: 'bucket', key: 'key/prefix' }],
    ['s3://my.bucket-1/data/train/', { scheme: 's3', bucket: 'my.bucket-1', key: 'data/train/' }],
    ['s3://bucket', { scheme: 's3', bucket: 'bucket', key: '' }],
    ['s3://bucket/', { scheme: 's3', bucket: 'bucket', key: '' }],
    ['S3://bucket/a b/é%20?#', { scheme: 's3', bucket: 'bucket', key: 'a b/é%20?#' }],
    ['file:///abs/path', { scheme: 'file', path: '/abs/path' }],
    ['file:///abs/../other/', { scheme: 'file', path: '/other' }],
    ['file://relative/path', { scheme: 'file', path: resolve('relative/path') }],
  ])('parses %s', (uri, expected) => {
    expect(parseArtifactUri(uri)).toEqual(expected);
  });

  it.each([
    ['', 'expected s3://bucket/key or file://path'],
    ['bucket/key', 'expected s3://bucket/key or file://path'],
    ['http://host/x', "unsupported scheme 'http'"],
    ['s3://', 'the bucket name is empty'],
    ['s3:///key', 'the bucket name is empty'],
    ['s3://Bad_Bucket/key', "bucket name 'Bad_Bucket' must be 3 to 63 lowercase letters"],
    ['s3://ab/key', "bucket name 'ab' must be"],
    ['s3://a..b/key', "bucket name 'a..b' must be"],
    ['s3://bucket-/key', "bucket name 'bucket-' must be"],
    ['s3://bucket/a//b', "the key has an empty, '.' or '..' segment"],
    ['s3://bucket/../escape', "the key has an empty, '.' or '..' segment"],
    ['s3://bucket/a/./b', "the key has an empty, '.' or '..' segment"],
    [`s3://bucket/${'é'.repeat(513)}`, 'the key is longer than 1024 bytes'],
    ['s3://bucket/a\nb', 'contains a control character'],
    ['file://', 'the path is empty'],
    ['file:///tmp/a\u0000b', 'contains a control character'],
  ])('rejects %j saying what is wrong', (uri, reason) => {
    const error = (() => {
      try {
        parseArtifactUri(uri);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ArtifactUriError);
    expect((error as ArtifactUriError).message).toContain(`invalid URI ${JSON.stringify(uri).slice(0, 40)}`);
    expect((error as ArtifactUriError).message).toContain(reason);
    expect((error as ArtifactUriError).retryable).toBe(false);
  });

  it('throws nothing but ArtifactUriError for random strings, and what it accepts survives formatting', () => {
    const fragments = ['s3://', 'file://', 'S3://', 'http://', '://', '/', '//', '.', '..', 'bucket', 'my-bucket', 'a', 'Bad_Bucket', 'é', '\u0000', '\n', ' ', '%2F', '?', '#', ':', '-', '\ud800', 'x'.repeat(300)];
    let state = 20260101;
    const random = (): number => (state = (state * 16807) % 2147483647) / 2147483647;
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const schemes = ['s3://', 'file://'];
      let uri = random() < 0.7 ? schemes[Math.floor(random() * schemes.length)]! : '';
      const parts = 1 + Math.floor(random() * 8);
      for (let p = 0; p < parts; p++) {
        uri += random() < 0.8 ? fragments[Math.floor(random() * fragments.length)] : String.fromCharCode(Math.floor(random() * 0x10000));
      }
      let location;
      try {
        location = parseArtifactUri(uri);
      } catch (error) {
        expect(error, JSON.stringify(uri)).toBeInstanceOf(ArtifactUriError);
        continue;
      }
      accepted++;
      expect(parseArtifactUri(formatArtifactUri(location)), JSON.stringify(uri)).toEqual(location);
    }
    // The generator must reach both outcomes for the test to mean anything.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(4500);
  });
});
