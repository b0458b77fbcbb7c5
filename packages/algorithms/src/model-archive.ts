import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip, gunzipSync, type ZlibParams } from 'node:zlib';

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
 * same files are byte-identical. Deflate runs at ~30 MB/s on float weights (~65 MB/s with run-length matching only,
 * which compresses them as well) and saves a few percent of them, so archives of hundreds of MB of data (models with
 * 2 M hash buckets) are stored uncompressed inside the gzip framing, and smaller ones are compressed at level 1:
 * text (vectors.txt compresses by half) with the default strategy, binary files (`.bin`) with run-length matching,
 * which also passes over the holes of a sparse model.bin at over 1 GB/s. Size is what the files take on disk.
 */
export async function writeModelArchive(dir: string, fileNames: string[], archivePath: string): Promise<void> {
  const files = await Promise.all(fileNames.map(async (name) => ({ name, info: await stat(join(dir, name)) })));
  const allocated = files.reduce((sum, { info }) => sum + Math.min(info.size, info.blocks * 512), 0);
  const level = allocated > STORE_ABOVE_BYTES ? 0 : 1;
  const gzip = createGzip({ level, chunkSize: 1 << 20 });
  const written = pipeline(gzip, createWriteStream(archivePath));
  const write = (chunk: Buffer) => (gzip.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => gzip.once('drain', resolve)));
  let strategy: number = constants.Z_DEFAULT_STRATEGY;
  try {
    for (const { name, info } of files) {
      const wanted = name.endsWith('.bin') ? constants.Z_RLE : constants.Z_DEFAULT_STRATEGY;
      if (level > 0 && wanted !== strategy) {
        strategy = wanted;
        // Node's Gzip has params() (every zlib stream does); its type declarations give it to Deflate only.
        await new Promise<void>((resolve) => (gzip as unknown as ZlibParams).params(level, wanted, () => resolve()));
      }
      await write(header(name, info.size, info.mode));
      for await (const chunk of createReadStream(join(dir, name), { highWaterMark: 1 << 22 })) await write(chunk as Buffer);
      const padding = (BLOCK - (info.size % BLOCK)) % BLOCK;
      if (padding > 0) await write(Buffer.alloc(padding));
    }
    gzip.end(Buffer.alloc(2 * BLOCK));
  } catch (error) {
    gzip.destroy(error as Error);
  }
  await written;
}

/**
 * Extracts the regular files of a model.tar.gz (ustar, as writeModelArchive and SageMaker write them) into `dir` and
 * returns their names; an entry that would land outside `dir` is refused.
 */
export async function extractModelArchive(archivePath: string, dir: string): Promise<string[]> {
  const tar = gunzipSync(await readFile(archivePath));
  const names: string[] = [];
  const text = (at: number, length: number) => tar.subarray(at, at + length).toString('utf8').replace(/\0.*$/s, '');
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const name = text(at + 345, 155) ? `${text(at + 345, 155)}/${text(at, 100)}` : text(at, 100);
    if (name === '') break;
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = text(at + 156, 1);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    if (type === '0' || type === '') {
      const target = normalize(join(dir, name));
      if (!target.startsWith(normalize(dir) + '/')) throw new RangeError(`archive entry outside the target folder: ${name}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
      names.push(name);
    }
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return names;
}
