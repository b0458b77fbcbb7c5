import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BlazefleetError, InputDataError } from '@blazefleet/core';
import { readFastTextModel, wordVectorsFromFastTextModel } from './formats/fasttext-model.js';
import { readWord2VecBinary } from './formats/word2vec-binary.js';
import { readWord2VecText } from './formats/word2vec-text.js';
import { Classifier, classifierInputStorage } from './supervised/classifier.js';
import type { WordVectors } from './word-vectors.js';

/** First int32 of a fastText .bin model. */
const FASTTEXT_MAGIC = 793712314;
/** Where args.model sits in a fastText .bin: after magic, version, dim, ws, epoch, minCount, neg, wordNgrams and loss. */
const FASTTEXT_MODEL_OFFSET = 36;
/** args.model of a supervised model (cbow = 1, sg = 2, sup = 3). */
const FASTTEXT_SUPERVISED = 3;

/** Preference order in a training output directory: model.bin keeps n-gram vectors, so unknown words get vectors too. */
const MODEL_FILES = ['model.bin', 'vectors.bin', 'vectors.txt'] as const;
/** The classifier file of a supervised training's output directory. */
const CLASSIFIER_FILE = 'model.bin';

/** A model ready to use, and the file it came from. */
export type LoadedModel = { kind: 'word-vectors'; file: string; vectors: WordVectors } | { kind: 'classifier'; file: string; classifier: Classifier };

/** What a file's first bytes say: a fastText model (supervised or not), or something else. */
async function fastTextKind(path: string): Promise<'supervised' | 'word-vectors' | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(FASTTEXT_MODEL_OFFSET + 4);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (bytesRead < 4 || head.readInt32LE(0) !== FASTTEXT_MAGIC) return undefined;
    return bytesRead === head.length && head.readInt32LE(FASTTEXT_MODEL_OFFSET) === FASTTEXT_SUPERVISED ? 'supervised' : 'word-vectors';
  } finally {
    await file.close();
  }
}

/** `modelPath` itself when it is a file, else the first of `names` found in that directory. */
async function resolveModelFile(modelPath: string, names: readonly string[]): Promise<string> {
  const info = await stat(modelPath).catch(() => undefined);
  if (!info) throw new InputDataError(modelPath, 'no such file or directory');
  if (!info.isDirectory()) return modelPath;
  for (const name of names) {
    const candidate = join(modelPath, name);
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  throw new InputDataError(modelPath, `no ${names.join(', ')} in this directory`);
}

async function readWordVectorsFile(path: string, kind: 'supervised' | 'word-vectors' | undefined): Promise<WordVectors> {
  try {
    if (kind !== undefined) return wordVectorsFromFastTextModel(await readFastTextModel(path));
    if (/\.(txt|vec)$/i.test(path)) return await readWord2VecText(path);
    return await readWord2VecBinary(path);
  } catch (error) {
    if (error instanceof BlazefleetError) throw error;
    throw new InputDataError(path, `cannot read word vectors: ${(error as Error).message}`);
  }
}

async function readClassifierFile(path: string): Promise<Classifier> {
  const model = await readFastTextModel(path, { inputStorage: classifierInputStorage });
  if (model.args.model !== 'sup' || model.labels.length === 0) {
    throw new InputDataError(path, 'not a classifier: a word-vector model has no labels (train one with --mode supervised)');
  }
  try {
    return Classifier.fromFastTextModel(model);
  } catch (error) {
    if (error instanceof BlazefleetError) throw error;
    throw new InputDataError(path, `cannot use this classifier: ${(error as Error).message}`);
  }
}

/**
 * Word vectors from a training output directory (model.bin, else vectors.bin, else vectors.txt) or from one file:
 * a fastText model (recognised by its magic number), word2vec text (.txt, .vec) or word2vec binary.
 */
export async function loadWordVectors(modelPath: string): Promise<WordVectors> {
  const file = await resolveModelFile(modelPath, MODEL_FILES);
  return readWordVectorsFile(file, await fastTextKind(file));
}

/** A text classifier from a supervised training's output directory or a fastText .bin file (Blazefleet's or fastText's own). */
export async function loadClassifier(modelPath: string): Promise<Classifier> {
  return readClassifierFile(await resolveModelFile(modelPath, [CLASSIFIER_FILE]));
}

/**
 * Whatever model a training output directory or a model file holds: a classifier when it is a supervised fastText
 * model, else word vectors, found as loadWordVectors finds them.
 */
export async function loadModel(modelPath: string): Promise<LoadedModel> {
  const file = await resolveModelFile(modelPath, MODEL_FILES);
  const kind = await fastTextKind(file);
  if (kind === 'supervised') return { kind: 'classifier', file, classifier: await readClassifierFile(file) };
  return { kind: 'word-vectors', file, vectors: await readWordVectorsFile(file, kind) };
}
