import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, parse, resolve } from 'node:path';
import type { ArtifactStore, StoredObject } from './artifact-store.js';
import { transferSettings, type ArtifactStoreOptions } from './artifact-store-options.js';
import { formatArtifactUri, parseArtifactUri } from './artifact-uri.js';
import { downloadObjects, uploadDirectoryFiles } from './directory-transfer.js';
import { withArtifactStoreErrors as attempt } from './error-classification.js';
import { ArtifactUriError, InputObjectNotFoundError } from './errors.js';
import { listLocalFiles, localFileSize, writeFileAtomically } from './local-files.js';

/**
 * The store of `file://` URIs: objects are files, folders are directories. Every write goes through a temporary file
 * renamed into place, so that readers see a whole file or none.
 */
export class LocalArtifactStore implements ArtifactStore {
  private readonly concurrency: number;

  constructor(options: Pick<ArtifactStoreOptions, 'concurrency'> = {}) {
    this.concurrency = transferSettings(options).concurrency;
  }

  async list(uri: string): Promise<StoredObject[]> {
    const path = pathOf(uri);
    return attempt(uri, async () => {
      const stats = await stat(path).catch(() => undefined);
      if (stats?.isFile()) return [{ uri: fileUri(path), relativeKey: basename(path), size: stats.size, lastModified: stats.mtime }];
      if (!stats?.isDirectory()) return [];
      return (await listLocalFiles(path)).map((file) => ({
        uri: fileUri(file.path),
        relativeKey: file.relativeKey,
        size: file.size,
        lastModified: file.mtime,
      }));
    });
  }

  async download(uri: string, localDir: string): Promise<string[]> {
    pathOf(uri);
    return attempt(uri, () => downloadObjects(this, uri, localDir, this.concurrency));
  }

  async downloadFile(uri: string, localPath: string): Promise<void> {
    const path = pathOf(uri);
    return attempt(uri, async () => {
      await existingFile(uri, path);
      await writeFileAtomically(resolve(localPath), (temporaryPath) => copyFile(path, temporaryPath));
    });
  }

  async upload(localFile: string, uri: string): Promise<void> {
    const path = pathOf(uri);
    return attempt(uri, async () => {
      await localFileSize(localFile);
      await writeFileAtomically(path, (temporaryPath) => copyFile(localFile, temporaryPath));
    });
  }

  async uploadDirectory(localDir: string, uri: string, options: { onlyChanged?: boolean } = {}): Promise<string[]> {
    pathOf(uri);
    return attempt(uri, () => uploadDirectoryFiles(this, localDir, uri, options.onlyChanged ?? false, this.concurrency));
  }

  async putObject(uri: string, body: Uint8Array | string): Promise<void> {
    const path = pathOf(uri);
    return attempt(uri, () => writeFileAtomically(path, (temporaryPath) => writeFile(temporaryPath, body)));
  }

  async getObject(uri: string): Promise<Buffer> {
    const path = pathOf(uri);
    return attempt(uri, async () => {
      await existingFile(uri, path);
      return readFile(path);
    });
  }

  async exists(uri: string): Promise<boolean> {
    const path = pathOf(uri);
    return attempt(uri, async () => (await stat(path).catch(() => undefined))?.isFile() ?? false);
  }

  async deletePrefix(uri: string): Promise<number> {
    const path = pathOf(uri);
    if (path === parse(path).root) throw new ArtifactUriError(uri, 'refusing to delete the root directory');
    return attempt(uri, async () => {
      const count = (await this.list(uri)).length;
      await rm(path, { recursive: true, force: true });
      return count;
    });
  }
}

function pathOf(uri: string): string {
  const location = parseArtifactUri(uri);
  if (location.scheme !== 'file') throw new ArtifactUriError(uri, 'the local store takes file:// URIs');
  return location.path;
}

function fileUri(path: string): string {
  return formatArtifactUri({ scheme: 'file', path });
}

async function existingFile(uri: string, path: string): Promise<void> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats?.isFile()) throw new InputObjectNotFoundError(uri);
}
