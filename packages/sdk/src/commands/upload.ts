import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '@blazefleet/core';
import { booleanOption, parseArguments, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';

const OPTIONS: OptionSpecs = {
  'create-bucket': { type: 'boolean', description: 'Create the s3:// bucket first when it does not exist.' },
  ...COMMON_OPTIONS,
};

async function upload(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  if (args.positionals.length !== 2) throw new UsageError('upload: expected a local FILE or FOLDER and a destination URI');
  const [source, destination] = args.positionals as [string, string];
  const local = await stat(source).catch(() => {
    throw new UsageError(`upload: no such file or folder: ${source}`);
  });
  const { S3ArtifactStore, artifactStoreFor, parseArtifactUri } = await import('@blazefleet/artifact-store');
  const { scheme } = parseArtifactUri(destination);
  if (booleanOption(args, 'create-bucket')) {
    if (scheme !== 's3') throw new UsageError('--create-bucket: the destination is not an s3:// URI');
    await new S3ArtifactStore().createBucket(destination);
  }
  const store = artifactStoreFor(destination);
  if (local.isDirectory()) {
    const written = await store.uploadDirectory(source, destination);
    for (const uri of written) io.stdout.write(`${uri}\n`);
    return 0;
  }
  // As `aws s3 cp`: a destination ending in / is a folder that the file goes into.
  const target = destination.endsWith('/') ? `${destination}${basename(source)}` : destination;
  await store.upload(source, target);
  io.stdout.write(`${target}\n`);
  return 0;
}

export const uploadCommand: Command = {
  name: 'upload',
  summary: 'Copy a local file or folder to an s3:// (AWS_ENDPOINT_URL_S3 for S3-compatible servers) or file:// URI.',
  usage: 'upload FILE|FOLDER URI [--create-bucket]',
  options: OPTIONS,
  details: () => 'A corpus for training jobs, for example: upload corpus.txt.gz s3://my-bucket/corpus/ --create-bucket',
  run: upload,
};
