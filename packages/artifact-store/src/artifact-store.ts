/** One object found by `list`. */
export interface StoredObject {
  /** The object's own URI: `s3://bucket/key` or `file:///absolute/path`. */
  readonly uri: string;
  /**
   * Its path relative to the listed URI, `/`-separated; the object's last key segment (file name) when the listed URI
   * names the object itself. `download` writes the object to this path under its local directory.
   */
  readonly relativeKey: string;
  readonly size: number;
  readonly lastModified: Date;
}

/**
 * Where jobs read input channels and write artifacts. A URI names an object, or the folder of objects below it:
 * `s3://bucket/data/train` means the object `data/train` and every object whose key starts with `data/train/`
 * (never `data/training.txt`). Every method fails with an ArtifactStoreError whose `retryable` flag tells a
 * transient failure from one that will not go away; a URI of the other store's scheme is an ArtifactUriError.
 */
export interface ArtifactStore {
  /** The objects at and below `uri`, in key order (UTF-8 byte order, as S3 lists them); none when nothing is there. */
  list(uri: string): Promise<StoredObject[]>;
  /**
   * Copies the objects at and below `uri` into `localDir` (created when missing) at their relative keys, and returns
   * the local paths in key order. InputObjectNotFoundError when there is no object.
   */
  download(uri: string, localDir: string): Promise<string[]>;
  /** Copies the object `uri` to `localPath`, creating its directory; InputObjectNotFoundError when it is missing. */
  downloadFile(uri: string, localPath: string): Promise<void>;
  /** Copies the local file `localFile` to the object `uri`, replacing it; large files go up in parts. */
  upload(localFile: string, uri: string): Promise<void>;
  /**
   * Copies every file below `localDir` to `uri` at its relative path and returns the URIs written, in key order.
   * With `onlyChanged`, a file is skipped when an object of the same size that is not older already exists (the rule
   * of `aws s3 sync`). Objects with no local file are left alone.
   */
  uploadDirectory(localDir: string, uri: string, options?: { onlyChanged?: boolean }): Promise<string[]>;
  /** Writes a small object (a string is written as UTF-8). */
  putObject(uri: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Reads a whole small object; InputObjectNotFoundError when it is missing. */
  getObject(uri: string): Promise<Buffer>;
  /** Whether `uri` names an existing object (a folder is not an object). */
  exists(uri: string): Promise<boolean>;
  /** Deletes the objects at and below `uri` and returns how many there were; a whole bucket or `/` is refused. */
  deletePrefix(uri: string): Promise<number>;
}
