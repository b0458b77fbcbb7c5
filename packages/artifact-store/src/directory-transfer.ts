import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ArtifactStore } from './artifact-store.js';
import { formatArtifactUri, parseArtifactUri, type ArtifactLocation } from './artifact-uri.js';
import { mapConcurrently } from './bounded-concurrency.js';
import { ArtifactStoreError, InputObjectNotFoundError } from './errors.js';
import { listLocalFiles } from './local-files.js';

// Both stores move folders the same way, object by object through their own list, downloadFile and upload.

/** ArtifactStore.download for `store`. */
export async function downloadObjects(store: ArtifactStore, uri: string, localDir: string, concurrency: number): Promise<string[]> {
  const objects = await store.list(uri);
  if (objects.length === 0) throw new InputObjectNotFoundError(uri);
  const dir = resolve(localDir);
  const targets = objects.map((object) => ({ uri: object.uri, path: localPathOf(dir, object.relativeKey, object.uri) }));
  return mapConcurrently(targets, concurrency, async (target) => {
    await store.downloadFile(target.uri, target.path);
    return target.path;
  });
}

// A key is written only where it stays inside the directory: S3 keys may hold empty, '.' or '..' segments.
function localPathOf(dir: string, relativeKey: string, uri: string): string {
  const segments = relativeKey.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new ArtifactStoreError(uri, `the key has an empty, '.' or '..' segment and cannot be written below ${dir}`, false);
  }
  return join(dir, ...segments);
}

/** ArtifactStore.uploadDirectory for `store`. */
export async function uploadDirectoryFiles(
  store: ArtifactStore,
  localDir: string,
  uri: string,
  onlyChanged: boolean,
  concurrency: number,
): Promise<string[]> {
  const location = parseArtifactUri(uri);
  const dir = resolve(localDir);
  const stats = await stat(dir).catch(() => undefined);
  if (stats === undefined || !stats.isDirectory()) throw new ArtifactStoreError(dir, 'not a directory', false);
  const files = (await listLocalFiles(dir)).map((file) => ({ ...file, target: childUri(location, file.relativeKey) }));
  let changed = files;
  if (onlyChanged) {
    const existing = new Map((await store.list(uri)).map((object) => [object.uri, object]));
    changed = files.filter((file) => {
      const object = existing.get(file.target);
      // Object stores keep whole seconds; a file is unchanged when its copy is not older to the second.
      const modifiedSecond = Math.floor(file.mtime.getTime() / 1000) * 1000;
      return object === undefined || object.size !== file.size || object.lastModified.getTime() < modifiedSecond;
    });
  }
  return mapConcurrently(changed, concurrency, async (file) => {
    await store.upload(file.path, file.target);
    return file.target;
  });
}

function childUri(folder: ArtifactLocation, relativeKey: string): string {
  if (folder.scheme === 'file') return formatArtifactUri({ ...folder, path: join(folder.path, ...relativeKey.split('/')) });
  const separator = folder.key === '' || folder.key.endsWith('/') ? '' : '/';
  return formatArtifactUri({ ...folder, key: `${folder.key}${separator}${relativeKey}` });
}
