import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BlazefleetError, InputDataError } from '@blazefleet/core';
import { Classifier, classifierInputStorage, readFastTextModel } from '@blazefleet/algorithms';

/** The classifier file of a supervised training's output directory. */
const CLASSIFIER_FILE = 'model.bin';

async function resolveClassifierFile(modelPath: string): Promise<string> {
  const info = await stat(modelPath).catch(() => undefined);
  if (!info) throw new InputDataError(modelPath, 'no such file or directory (--model)');
  if (!info.isDirectory()) return modelPath;
  const file = join(modelPath, CLASSIFIER_FILE);
  if (!(await stat(file).catch(() => undefined))?.isFile()) throw new InputDataError(modelPath, `no ${CLASSIFIER_FILE} in this directory (--model)`);
  return file;
}

/** A text classifier from a supervised training's output directory or a fastText .bin file (Blazefleet's or fastText's own). */
export async function loadClassifier(modelPath: string): Promise<Classifier> {
  const file = await resolveClassifierFile(modelPath);
  const model = await readFastTextModel(file, { inputStorage: classifierInputStorage });
  if (model.args.model !== 'sup' || model.labels.length === 0) {
    throw new InputDataError(file, 'not a classifier: a word-vector model has no labels (train one with --mode supervised)');
  }
  try {
    return Classifier.fromFastTextModel(model);
  } catch (error) {
    if (error instanceof BlazefleetError) throw error;
    throw new InputDataError(file, `cannot use this classifier: ${(error as Error).message}`);
  }
}
