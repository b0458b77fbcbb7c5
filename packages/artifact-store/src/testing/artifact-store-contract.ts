// What every ArtifactStore must do, run against each implementation.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../artifact-store.js';
import { mapConcurrently } from '../bounded-concurrency.js';
import { ArtifactStoreError, ArtifactUriError, InputObjectNotFoundError } from '../errors.js';

export interface ContractSubject {
  /** A store whose multipart part size is 5 MiB. */
  store: ArtifactStore;
  /** A folder URI, without a trailing slash, that nothing else writes to. */
  root: string;
  /** A URI of the other store's scheme. */
  foreignUri: string;
}

const PART_SIZE = 5 * 1024 * 1024;

/** Declares the shared ArtifactStore tests; `subject` is called once the suite's beforeAll hooks have run. */
export function describeArtifactStoreContract(name: string, subject: () => ContractSubject): void {
  describe(`${name} (ArtifactStore contract)`, () => {
    let store: ArtifactStore;
    let root: string;
    let local: string;
    const localFile = (relativePath: string, content: string | Buffer): string => {
      const path = join(local, relativePath);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    };
    const rejection = (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => expect.unreachable('the operation should have failed'),
        (error: unknown) => error,
      );

    beforeAll(() => {
      ({ store, root } = subject());
      local = mkdtempSync(join(tmpdir(), 'artifact-store-contract-'));
    });
    afterAll(() => rmSync(local, { recursive: true, force: true }));

    it('reads back what putObject wrote, as bytes or UTF-8 text, and replaces it on a second write', async () => {
      const bytes = Uint8Array.from([0, 1, 2, 254, 255]);
      await store.putObject(`${root}/put/bytes.bin`, bytes, 'application/octet-stream');
      await store.putObject(`${root}/put/metrics.json`, '{"accuracy":0.5,"name":"é"}', 'application/json');
      expect([...(await store.getObject(`${root}/put/bytes.bin`))]).toEqual([...bytes]);
      expect((await store.getObject(`${root}/put/metrics.json`)).toString('utf8')).toBe('{"accuracy":0.5,"name":"é"}');
      await store.putObject(`${root}/put/metrics.json`, '{}');
      expect((await store.getObject(`${root}/put/metrics.json`)).toString('utf8')).toBe('{}');
    });

    it('says whether a URI names an object; a folder is not one', async () => {
      await store.putObject(`${root}/exists/a/b.txt`, 'b');
      expect(await store.exists(`${root}/exists/a/b.txt`)).toBe(true);
      expect(await store.exists(`${root}/exists/a/missing.txt`)).toBe(false);
      expect(await store.exists(`${root}/exists/a`)).toBe(false);
    });

    it('fails to read a missing object with InputObjectNotFoundError naming its URI, not retryable', async () => {
      const uri = `${root}/missing/metrics.json`;
      const error = await rejection(store.getObject(uri));
      expect(error).toBeInstanceOf(InputObjectNotFoundError);
      expect((error as InputObjectNotFoundError).message).toContain(uri);
      expect((error as InputObjectNotFoundError).retryable).toBe(false);
      await expect(store.downloadFile(uri, join(local, 'missing.json'))).rejects.toThrow(InputObjectNotFoundError);
    });

    it('lists the objects at and below a URI in key order (UTF-8 bytes), with sizes, times and relative keys', async () => {
      const keys = ['b.txt', 'a/x.txt', 'a-b.txt', 'a/y/z.txt', 'Z.txt', 'é.txt', '_.txt'];
      const before = Date.now();
      for (const key of keys) await store.putObject(`${root}/order/${key}`, key.repeat(2));
      await store.putObject(`${root}/order-sibling.txt`, 'not below order/');
      const listed = await store.list(`${root}/order`);
      // '-' sorts before '/', so a-b.txt comes before the files of folder a/.
      const expected = ['Z.txt', '_.txt', 'a-b.txt', 'a/x.txt', 'a/y/z.txt', 'b.txt', 'é.txt'];
      expect(listed.map((object) => object.relativeKey)).toEqual(expected);
      expect(listed.map((object) => object.uri)).toEqual(expected.map((key) => `${root}/order/${key}`));
      expect(listed.map((object) => object.size)).toEqual(expected.map((key) => Buffer.byteLength(key, 'utf8') * 2));
      for (const object of listed) {
        expect(object.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
      }
      expect(await store.list(`${root}/order/`)).toEqual(listed);
    });

    it('lists one object for the URI of an object, and none for a partial name or a missing folder', async () => {
      await store.putObject(`${root}/single/data/train.txt`, 'train');
      const [object, ...rest] = await store.list(`${root}/single/data/train.txt`);
      expect(rest).toEqual([]);
      expect(object).toMatchObject({ uri: `${root}/single/data/train.txt`, relativeKey: 'train.txt', size: 5 });
      expect(await store.list(`${root}/single/data/tra`)).toEqual([]);
      expect(await store.list(`${root}/single/nothing-here`)).toEqual([]);
    });

    it('lists more than 1000 objects (S3 pages) completely and in order', async () => {
      const keys = Array.from({ length: 1050 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      await mapConcurrently(keys, 32, (key) => store.putObject(`${root}/many/${key}`, key));
      const listed = await store.list(`${root}/many`);
      expect(listed.map((object) => object.relativeKey)).toEqual(keys);
    });

    it('downloads a folder into a local directory at the relative keys, returning the paths in key order', async () => {
      const files = { 'part-b.txt': 'second', 'part-a.txt': 'first', 'nested/deeper/part-c.txt': 'third', 'empty.txt': '' };
      for (const [key, content] of Object.entries(files)) await store.putObject(`${root}/channel/train/${key}`, content);
      const target = join(local, 'download-folder');
      const paths = await store.download(`${root}/channel/train`, target);
      const order = ['empty.txt', 'nested/deeper/part-c.txt', 'part-a.txt', 'part-b.txt'];
      expect(paths).toEqual(order.map((key) => join(target, key)));
      for (const key of order) expect(readFileSync(join(target, key), 'utf8')).toBe(files[key as keyof typeof files]);
    });

    it('downloads the URI of one object as a file named by its last key segment', async () => {
      await store.putObject(`${root}/exact/data/train.txt`, 'exact');
      const target = join(local, 'download-exact');
      expect(await store.download(`${root}/exact/data/train.txt`, target)).toEqual([join(target, 'train.txt')]);
      expect(readFileSync(join(target, 'train.txt'), 'utf8')).toBe('exact');
    });

    it('fails to download a URI with no objects with InputObjectNotFoundError naming the URI', async () => {
      const uri = `${root}/channel/validation`;
      const error = await rejection(store.download(uri, join(local, 'download-missing')));
      expect(error).toBeInstanceOf(InputObjectNotFoundError);
      expect((error as Error).message).toContain(uri);
      expect((error as ArtifactStoreError).retryable).toBe(false);
    });

    it('uploads a file larger than the part size in parts, byte-identical after download', async () => {
      const content = randomBytes(2 * PART_SIZE + 2 * 1024 * 1024);
      const source = localFile('large/model.tar.gz', content);
      await store.upload(source, `${root}/large/model.tar.gz`);
      expect((await store.list(`${root}/large/model.tar.gz`))[0]?.size).toBe(content.length);
      const copy = join(local, 'large-copy', 'model.tar.gz');
      await store.downloadFile(`${root}/large/model.tar.gz`, copy);
      expect(readFileSync(copy).equals(content)).toBe(true);
    });

    it('uploads an empty file', async () => {
      await store.upload(localFile('empty/empty.txt', ''), `${root}/empty/empty.txt`);
      expect((await store.getObject(`${root}/empty/empty.txt`)).length).toBe(0);
    });

    it('fails to upload a missing local file with a non-retryable error naming the file', async () => {
      const missing = join(local, 'no-such-file.bin');
      const error = await rejection(store.upload(missing, `${root}/upload-missing/file.bin`));
      expect(error).toBeInstanceOf(ArtifactStoreError);
      expect((error as ArtifactStoreError).message).toContain(missing);
      expect((error as ArtifactStoreError).retryable).toBe(false);
      expect(await store.exists(`${root}/upload-missing/file.bin`)).toBe(false);
    });

    it('uploads a directory at relative keys; with onlyChanged it skips files whose copy is current', async () => {
      localFile('checkpoints/epoch-1.bin', 'one');
      localFile('checkpoints/state/optimizer.bin', 'optimizer');
      const uri = `${root}/checkpoints`;
      const written = await store.uploadDirectory(join(local, 'checkpoints'), uri);
      expect(written).toEqual([`${uri}/epoch-1.bin`, `${uri}/state/optimizer.bin`]);
      expect((await store.getObject(`${uri}/state/optimizer.bin`)).toString()).toBe('optimizer');

      expect(await store.uploadDirectory(join(local, 'checkpoints'), uri, { onlyChanged: true })).toEqual([]);
      localFile('checkpoints/epoch-1.bin', 'one, rewritten');
      localFile('checkpoints/epoch-2.bin', 'two');
      expect(await store.uploadDirectory(join(local, 'checkpoints'), uri, { onlyChanged: true })).toEqual([
        `${uri}/epoch-1.bin`,
        `${uri}/epoch-2.bin`,
      ]);
      expect((await store.getObject(`${uri}/epoch-1.bin`)).toString()).toBe('one, rewritten');
      // Same size but written after the copy: changed.
      const later = new Date(Date.now() + 5000);
      utimesSync(localFile('checkpoints/epoch-2.bin', 'TWO'), later, later);
      expect(await store.uploadDirectory(join(local, 'checkpoints'), uri, { onlyChanged: true })).toEqual([`${uri}/epoch-2.bin`]);
      expect((await store.getObject(`${uri}/epoch-2.bin`)).toString()).toBe('TWO');
    });

    it('fails to upload a missing directory with a non-retryable error naming it', async () => {
      const missing = join(local, 'no-such-directory');
      const error = await rejection(store.uploadDirectory(missing, `${root}/no-directory`));
      expect(error).toBeInstanceOf(ArtifactStoreError);
      expect((error as ArtifactStoreError).message).toContain(missing);
      expect((error as ArtifactStoreError).retryable).toBe(false);
    });

    it('deletes the objects at and below a URI, leaving neighbours with a longer name', async () => {
      for (const key of ['run/a.txt', 'run/b/c.txt', 'run-2/a.txt', 'running.txt']) await store.putObject(`${root}/delete/${key}`, key);
      expect(await store.deletePrefix(`${root}/delete/run`)).toBe(2);
      expect(await store.list(`${root}/delete/run`)).toEqual([]);
      expect((await store.list(`${root}/delete`)).map((object) => object.relativeKey)).toEqual(['run-2/a.txt', 'running.txt']);
      expect(await store.deletePrefix(`${root}/delete/run`)).toBe(0);
    });

    it('rejects URIs it cannot use with ArtifactUriError, as a rejected promise', async () => {
      const { foreignUri } = subject();
      for (const operation of [
        store.list(foreignUri),
        store.getObject(foreignUri),
        store.putObject(foreignUri, 'x'),
        store.exists('not a uri'),
        store.download('s3://Bad_Bucket/x', local),
      ]) {
        const error = await rejection(operation);
        expect(error).toBeInstanceOf(ArtifactUriError);
        expect((error as ArtifactUriError).retryable).toBe(false);
      }
    });
  });
}
