import { UsageError } from '@blazefleet/core';
import { integerOption, stringOption, type OptionSpecs, type ParsedArguments } from './arguments.js';

/** Options of the commands that run a classifier: `predict` and `test`, named as fastText names them. */
export const PREDICTION_OPTIONS: OptionSpecs = {
  model: { type: 'string', valueName: 'PATH', description: 'A supervised training output directory (its model.bin) or a fastText .bin classifier. Required.' },
  k: { type: 'string', short: 'k', valueName: 'N', description: 'Number of labels predicted per text. Default: 1.' },
  threshold: { type: 'string', valueName: 'P', description: 'Only labels with probability >= P. Default: 0.' },
};

export interface PredictionSettings {
  modelPath: string;
  k: number;
  threshold: number;
}

function thresholdOption(args: ParsedArguments): number {
  const raw = stringOption(args, 'threshold');
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`--threshold: expected a number >= 0, got ${JSON.stringify(raw)}`);
  return value;
}

/** The --model PATH that every command reading a model requires. */
export function modelPathOption(args: ParsedArguments): string {
  const modelPath = stringOption(args, 'model');
  if (modelPath === undefined) throw new UsageError('--model PATH is required');
  return modelPath;
}

export function predictionSettings(args: ParsedArguments): PredictionSettings {
  return { modelPath: modelPathOption(args), k: integerOption(args, 'k', 1, 1), threshold: thresholdOption(args) };
}
