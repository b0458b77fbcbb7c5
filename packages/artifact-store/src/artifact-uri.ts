import { resolve } from 'node:path';
import { ArtifactUriError } from './errors.js';

/** Where an object or a folder of objects lives: an S3 bucket and key, or an absolute local path. */
export type ArtifactLocation =
  | { readonly scheme: 's3'; readonly bucket: string; readonly key: string }
  | { readonly scheme: 'file'; readonly path: string };

const EXPECTED = 'expected s3://bucket/key or file://path';
// General-purpose bucket rules: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const MAX_KEY_BYTES = 1024;

/**
 * Parses `s3://bucket/key/prefix`, `file:///absolute/path` or `file://relative/path` (relative to the current
 * directory). Nothing is percent-decoded: a key or path is taken as written. An S3 key may end with `/` but has no
 * empty, `.` or `..` segments, so that every key is also a relative file path. Throws ArtifactUriError saying what is
 * wrong with the URI.
 */
export function parseArtifactUri(uri: string): ArtifactLocation {
  if (typeof uri !== 'string') throw new ArtifactUriError(String(uri), `${EXPECTED}, got a ${typeof uri}`);
  const separator = uri.indexOf('://');
  if (separator < 0) throw new ArtifactUriError(uri, EXPECTED);
  const scheme = uri.slice(0, separator).toLowerCase();
  const rest = uri.slice(separator + 3);
  if (CONTROL_CHARACTER.test(rest)) throw new ArtifactUriError(uri, 'contains a control character');
  if (scheme === 's3') return parseS3(uri, rest);
  if (scheme === 'file') {
    if (rest === '') throw new ArtifactUriError(uri, 'the path is empty');
    return { scheme: 'file', path: resolve(rest) };
  }
  throw new ArtifactUriError(uri, `unsupported scheme '${uri.slice(0, separator)}'; ${EXPECTED}`);
}

function parseS3(uri: string, rest: string): ArtifactLocation {
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '') throw new ArtifactUriError(uri, 'the bucket name is empty');
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new ArtifactUriError(
      uri,
      `bucket name '${bucket}' must be 3 to 63 lowercase letters, digits, dots or hyphens, beginning and ending with a letter or digit`,
    );
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new ArtifactUriError(uri, `the key is longer than ${MAX_KEY_BYTES} bytes`);
  const segments = key.endsWith('/') ? key.slice(0, -1).split('/') : key.split('/');
  if (key !== '' && segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new ArtifactUriError(uri, "the key has an empty, '.' or '..' segment");
  }
  return { scheme: 's3', bucket, key };
}

/** The URI of a location: `s3://bucket/key` or `file:///absolute/path`. */
export function formatArtifactUri(location: ArtifactLocation): string {
  return location.scheme === 's3' ? `s3://${location.bucket}/${location.key}` : `file://${location.path}`;
}
