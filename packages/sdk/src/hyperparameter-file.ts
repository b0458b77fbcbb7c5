import { readFile } from 'node:fs/promises';
import { InputDataError } from '@blazefleet/core';

/**
 * Reads a hyperparameters JSON object, as SageMaker writes /opt/ml/input/config/hyperparameters.json
 * (values usually strings: {"mode": "batch_skipgram", "epochs": "1"}). Values are validated later, with the flags.
 */
export async function readHyperparameterFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputDataError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a JSON file' : `cannot read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputDataError(path, `invalid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputDataError(path, `expected a JSON object of hyperparameters, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
