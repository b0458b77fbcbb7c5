import type { ArtifactStore } from './artifact-store.js';
import type { ArtifactStoreOptions } from './artifact-store-options.js';
import { parseArtifactUri } from './artifact-uri.js';
import { LocalArtifactStore } from './local-artifact-store.js';
import { S3ArtifactStore } from './s3-artifact-store.js';

/**
 * The store for `uri`'s scheme: an S3ArtifactStore for `s3://`, a LocalArtifactStore for `file://`. Stores are
 * cheap; S3 clients are shared per endpoint, region, attempt count and credentials. Throws ArtifactUriError for a
 * malformed URI and ArtifactStoreOptionError for an option out of range.
 */
export function artifactStoreFor(uri: string, options: ArtifactStoreOptions = {}): ArtifactStore {
  return parseArtifactUri(uri).scheme === 's3' ? new S3ArtifactStore(options) : new LocalArtifactStore(options);
}
