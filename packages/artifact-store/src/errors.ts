import { BlazefleetError } from '@blazefleet/core';

/**
 * A store operation that failed; `retryable` says whether trying again later may succeed (throttling, a server
 * error, a dropped connection) or not (a missing bucket or object, denied access, a malformed URI). The message
 * names the URI or local path and the reason, never credentials.
 */
export class ArtifactStoreError extends BlazefleetError {
  constructor(
    /** The URI or local path the operation failed on. */
    readonly uri: string,
    readonly reason: string,
    readonly retryable: boolean,
    /** The S3 error name or Node.js error code behind the failure, when there is one. */
    readonly code?: string,
  ) {
    super(`${uri}: ${reason}`);
  }
}

/** A string that is not a usable `s3://bucket/key` or `file://path` URI. */
export class ArtifactUriError extends ArtifactStoreError {
  override readonly exitCode = 2;
  constructor(uri: string, reason: string) {
    super(uri, reason, false);
    const shown = uri.length > 200 ? `${uri.slice(0, 200)}...` : uri;
    this.message = `invalid URI ${JSON.stringify(shown)}: ${reason}`;
  }
}

/** Nothing was found at a URI that had to hold an object, or objects below it. */
export class InputObjectNotFoundError extends ArtifactStoreError {
  override readonly exitCode = 2;
  constructor(uri: string) {
    super(uri, 'no object at or below this URI', false);
  }
}

/** An ArtifactStoreOptions field out of range or of the wrong type. */
export class ArtifactStoreOptionError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`artifact store option '${field}': expected ${expected}, got ${String(received)}`);
  }
}
