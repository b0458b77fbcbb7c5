import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 512;
const STORE_ABOVE_BYTES = 256 * 2 ** 20;

/** A ustar header: owner, group and time zeroed, so that the archive depends on names, sizes, modes and contents only. */
function header(name: string, size: number, mode: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, value: string) => block.write(value, offset, length, 'utf8');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  if (Buffer.byteLength(name) > 100) throw new RangeError(`archive entry name too long: ${name}`);
  field(0, 100, name);
  field(100, 8, octal(mode & 0o7777, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(size, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, ' '.repeat(8));
  field(156, 1, '0');
  field(257, 6, 'ustar');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of block) sum += byte;
  field(148, 8, `${octal(sum, 7)}\0`);
  return block;
}

/**
 * Writes model.tar.gz holding `fileNames` from `dir` at the archive root, in the order given; two archives of the
 * same files are byte-identical. Deflate runs at ~30 MB/s on float weights and saves a few percent of them, so
 * archives of hundreds of MB (models with 2 M hash buckets) are stored uncompressed inside the gzip framing and
 * smaller ones (vectors.txt compresses by half) are compressed at level 1.
 */
export async function writeModelArchive(dir: string, fileNames: string[], archivePath: string): Promise<void> {
  const files = await Promise.all(fileNames.map(async (name) => ({ name, info: await stat(join(dir, name)) })));
  const total = files.reduce((sum, file) => sum + file.info.size, 0);
  const tar = new PassThrough({ highWaterMark: 1 << 22 });
  const written = pipeline(tar, createGzip({ level: total > STORE_ABOVE_BYTES ? 0 : 1, chunkSize: 1 << 20 }), createWriteStream(archivePath));
  const write = (chunk: Buffer) => (tar.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => tar.once('drain', resolve)));
  try {
    for (const { name, info } of files) {
      await write(header(name, info.size, info.mode));
      for await (const chunk of createReadStream(join(dir, name), { highWaterMark: 1 << 22 })) await write(chunk as Buffer);
      const padding = (BLOCK - (info.size % BLOCK)) % BLOCK;
      if (padding > 0) await write(Buffer.alloc(padding));
    }
    tar.end(Buffer.alloc(2 * BLOCK));
  } catch (error) {
    tar.destroy(error as Error);
  }
  await written;
}
