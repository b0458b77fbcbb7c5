import { open, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InputDataError } from '@blazefleet/core';
import { extractModelArchive } from '@blazefleet/algorithms';
import { artifactStoreFor, parseArtifactUri, type ArtifactStoreOptions } from '@blazefleet/artifact-store';

const URI = /^[a-z][a-z0-9+.-]*:\/\//i;
const GZIP_MAGIC = 0x8b1f;

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    return bytesRead === 2 && head.readUInt16LE(0) === GZIP_MAGIC;
  } finally {
    await file.close();
  }
}

/**
 * Runs `use` on a local path of the model that `source` names, and removes whatever was fetched for it afterwards:
 * a training output directory or a model file as they are; a model.tar.gz (any gzip file) extracted into a
 * temporary directory; an `s3://` URI of one downloaded first (AWS_ENDPOINT_URL_S3 names an S3-compatible server),
 * a `file://` URI read where it points. Errors about fetched files name `source`.
 */
export async function withLocalModel<T>(source: string, use: (path: string) => Promise<T>, storeOptions: ArtifactStoreOptions = {}): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), 'blazefleet-model-'));
  try {
    let path = source;
    if (URI.test(source)) {
      const location = parseArtifactUri(source);
      if (location.scheme === 'file') {
        path = location.path;
      } else {
        path = join(scratch, basename(location.key) || 'model.tar.gz');
        await artifactStoreFor(source, storeOptions).downloadFile(source, path);
      }
    }
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new InputDataError(source, 'no such file or directory');
    if (info.isFile() && (await isGzip(path))) {
      const extracted = join(scratch, 'model');
      const files = await extractModelArchive(path, extracted).catch((error: Error) => {
        throw new InputDataError(source, `cannot extract the model archive: ${error.message}`);
      });
      if (files.length === 0) throw new InputDataError(source, 'is gzip but no model archive: it holds no files');
      path = extracted;
    }
    try {
      return await use(path);
    } catch (error) {
      if (error instanceof InputDataError && path !== source) throw new InputDataError(source, error.reason);
      throw error;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
