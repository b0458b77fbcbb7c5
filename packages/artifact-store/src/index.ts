export type { ArtifactStore, StoredObject } from './artifact-store.js';
export type { ArtifactStoreOptions } from './artifact-store-options.js';
export { artifactStoreFor } from './artifact-store-for.js';
export { parseArtifactUri, type ArtifactLocation } from './artifact-uri.js';
export { isRetryableError } from './error-classification.js';
export { ArtifactStoreError, ArtifactStoreOptionError, ArtifactUriError, InputObjectNotFoundError } from './errors.js';
export { LocalArtifactStore } from './local-artifact-store.js';
export { S3ArtifactStore } from './s3-artifact-store.js';
