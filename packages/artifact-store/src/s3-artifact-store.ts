import { createReadStream, createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArtifactStore, StoredObject } from './artifact-store.js';
import { transferSettings, type ArtifactStoreOptions, type TransferSettings } from './artifact-store-options.js';
import { parseArtifactUri } from './artifact-uri.js';
import { downloadObjects, uploadDirectoryFiles } from './directory-transfer.js';
import { isRetryableError, withArtifactStoreErrors as attempt } from './error-classification.js';
import { ArtifactStoreError, ArtifactUriError } from './errors.js';
import { localFileSize, writeFileAtomically } from './local-files.js';
import { s3ClientFor } from './s3-client.js';

const DELETE_BATCH = 1000;

/** The store of `s3://` URIs, on AWS S3 or any S3-compatible server. */
export class S3ArtifactStore implements ArtifactStore {
  private readonly client: S3Client;
  private readonly settings: TransferSettings;

  constructor(options: ArtifactStoreOptions = {}) {
    this.settings = transferSettings(options);
    this.client = s3ClientFor(options);
  }

  async list(uri: string): Promise<StoredObject[]> {
    const { bucket, key } = locationOf(uri, 'folder');
    return attempt(uri, async () => {
      const objects: StoredObject[] = [];
      const prefix = folderPrefix(key);
      for await (const object of this.objectsAt(bucket, key)) {
        // Zero-byte keys ending in '/' are folder markers that consoles create, not objects.
        if (object.Key!.endsWith('/')) continue;
        objects.push({
          uri: `s3://${bucket}/${object.Key!}`,
          relativeKey: object.Key === key ? key.slice(key.lastIndexOf('/') + 1) : object.Key!.slice(prefix.length),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        });
      }
      return objects;
    });
  }

  async download(uri: string, localDir: string): Promise<string[]> {
    locationOf(uri, 'folder');
    return attempt(uri, () => downloadObjects(this, uri, localDir, this.settings.concurrency));
  }

  async downloadFile(uri: string, localPath: string): Promise<void> {
    const { bucket, key } = locationOf(uri, 'object');
    return attempt(uri, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = response.Body as Readable;
      try {
        await writeFileAtomically(resolve(localPath), (temporaryPath) => pipeline(body, createWriteStream(temporaryPath)));
      } finally {
        body.destroy();
      }
    });
  }

  /** Creates the bucket of `uri` in the client's region; nothing happens when this account already has it. */
  async createBucket(uri: string): Promise<void> {
    const { bucket } = locationOf(uri, 'folder');
    await attempt(uri, async () => {
      const region = await this.client.config.region();
      try {
        await this.client.send(
          new CreateBucketCommand({
            Bucket: bucket,
            ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
          }),
        );
      } catch (error) {
        if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
      }
    });
  }

  async upload(localFile: string, uri: string): Promise<void> {
    const { bucket, key } = locationOf(uri, 'object');
    return attempt(uri, async () => {
      await localFileSize(localFile);
      const upload = new Upload({
        client: this.client,
        params: { Bucket: bucket, Key: key, Body: createReadStream(localFile) },
        partSize: this.settings.partSize,
        leavePartsOnError: false,
      });
      await upload.done();
    });
  }

  async uploadDirectory(localDir: string, uri: string, options: { onlyChanged?: boolean } = {}): Promise<string[]> {
    locationOf(uri, 'folder');
    return attempt(uri, () => uploadDirectoryFiles(this, localDir, uri, options.onlyChanged ?? false, this.settings.concurrency));
  }

  async putObject(uri: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    const { bucket, key } = locationOf(uri, 'object');
    // An explicit length: the SDK cannot tell an empty body from a stream of unknown length.
    const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
    await attempt(uri, () =>
      this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: length, ContentType: contentType })),
    );
  }

  async getObject(uri: string): Promise<Buffer> {
    const { bucket, key } = locationOf(uri, 'object');
    return attempt(uri, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = await response.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = locationOf(uri, 'object');
    return attempt(uri, async () => {
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw error;
      }
    });
  }

  async deletePrefix(uri: string): Promise<number> {
    const { bucket, key } = locationOf(uri, 'folder');
    if (key === '') throw new ArtifactUriError(uri, 'refusing to delete a whole bucket; name a key prefix');
    return attempt(uri, async () => {
      const keys: string[] = [];
      for await (const object of this.objectsAt(bucket, key)) keys.push(object.Key!);
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH).map((Key) => ({ Key }));
        const response = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
        const failed = response.Errors?.[0];
        if (failed !== undefined) {
          const code = failed.Code ?? 'UnknownError';
          const reason = `${code}: ${failed.Message ?? 'not deleted'}`;
          throw new ArtifactStoreError(`s3://${bucket}/${failed.Key ?? ''}`, reason, isRetryableError({ name: code }), code);
        }
      }
      return keys.length;
    });
  }

  /** The object `key` itself, then every object below `key/`, in key order, folder markers included. */
  private async *objectsAt(bucket: string, key: string): AsyncGenerator<_Object> {
    if (key !== '' && !key.endsWith('/')) {
      // The object named exactly `key` sorts first among the keys that start with it.
      const exact = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
      const first = exact.Contents?.[0];
      if (first?.Key === key) yield first;
    }
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: bucket, Prefix: folderPrefix(key) })) {
      yield* page.Contents ?? [];
    }
  }
}

function folderPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}

function locationOf(uri: string, kind: 'object' | 'folder'): { bucket: string; key: string } {
  const location = parseArtifactUri(uri);
  if (location.scheme !== 's3') throw new ArtifactUriError(uri, 'the S3 store takes s3:// URIs');
  if (kind === 'object' && (location.key === '' || location.key.endsWith('/'))) {
    throw new ArtifactUriError(uri, 'expected the key of an object, not a folder ending in /');
  }
  return location;
}
