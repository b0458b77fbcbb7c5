import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BlazefleetError, InputDataError, UsageError } from '@blazefleet/core';
import {
  readFastTextModel,
  readWord2VecBinary,
  readWord2VecText,
  wordVectorsFromFastTextModel,
  type WordVectors,
} from '@blazefleet/algorithms';
import { stringOption, type ParsedArguments } from './arguments.js';

/** First int32 of a fastText .bin model. */
const FASTTEXT_MAGIC = 793712314;

/** Preference order in a training output directory: model.bin keeps n-gram vectors, so unknown words get vectors too. */
const MODEL_FILES = ['model.bin', 'vectors.bin', 'vectors.txt'] as const;

async function startsWithFastTextMagic(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readInt32LE(0) === FASTTEXT_MAGIC;
  } finally {
    await file.close();
  }
}

async function loadFile(path: string): Promise<WordVectors> {
  if (/\.(txt|vec)$/i.test(path)) return readWord2VecText(path);
  if (await startsWithFastTextMagic(path)) return wordVectorsFromFastTextModel(await readFastTextModel(path));
  return readWord2VecBinary(path);
}

async function resolveModelFile(modelPath: string): Promise<string> {
  const info = await stat(modelPath).catch(() => undefined);
  if (!info) throw new InputDataError(modelPath, 'no such file or directory (--model)');
  if (!info.isDirectory()) return modelPath;
  for (const name of MODEL_FILES) {
    const candidate = join(modelPath, name);
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  throw new InputDataError(modelPath, `no ${MODEL_FILES.join(', ')} in this directory (--model)`);
}

/**
 * Word vectors from a training output directory (model.bin, else vectors.bin, else vectors.txt) or from one file:
 * a fastText model (recognised by its magic number), word2vec text (.txt, .vec) or word2vec binary.
 */
export async function loadWordVectors(modelPath: string): Promise<WordVectors> {
  const file = await resolveModelFile(modelPath);
  try {
    return await loadFile(file);
  } catch (error) {
    if (error instanceof BlazefleetError) throw error;
    throw new InputDataError(file, `cannot read word vectors: ${(error as Error).message}`);
  }
}

/** The --model PATH that every command reading word vectors requires. */
export function modelPathOption(args: ParsedArguments): string {
  const modelPath = stringOption(args, 'model');
  if (modelPath === undefined) throw new UsageError('--model PATH is required');
  return modelPath;
}
