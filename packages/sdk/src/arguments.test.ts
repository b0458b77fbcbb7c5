import { describe, expect, it } from 'vitest';
import { UsageError } from '@blazefleet/core';
import { integerOption, parseArguments, type OptionSpecs } from './arguments.js';

const SPECS: OptionSpecs = {
  train: { type: 'string', description: '' },
  'log-format': { type: 'string', description: '' },
  evaluate_every_epoch: { type: 'boolean', description: '' },
  word_similarity: { type: 'string', multiple: true, description: '' },
  k: { type: 'string', short: 'k', description: '' },
  threads: { type: 'string', description: '' },
  seed: { type: 'string', description: '' },
};

describe('parseArguments', () => {
  it('separates options from hyperparameter flags in all three spellings', () => {
    const parsed = parseArguments(
      ['--train', 'c.txt', '--vector_dim', '10', '--epochs=3', '--subwords', '--mode', 'cbow', '--evaluation', 'false'],
      SPECS,
      { allowExtra: true, allowPositionals: false },
    );
    expect(parsed.options.train).toBe('c.txt');
    expect(parsed.extra).toEqual({ vector_dim: '10', epochs: '3', subwords: true, mode: 'cbow', evaluation: 'false' });
  });

  it('reads negative numbers as values, not flags', () => {
    const parsed = parseArguments(['--learning_rate', '-1', '--train', 'x'], SPECS, { allowExtra: true, allowPositionals: false });
    expect(parsed.extra.learning_rate).toBe('-1');
  });

  it('accepts dashes and underscores for option names', () => {
    const parsed = parseArguments(['--log_format', 'json', '--evaluate-every-epoch'], SPECS, { allowExtra: false, allowPositionals: false });
    expect(parsed.options['log-format']).toBe('json');
    expect(parsed.options.evaluate_every_epoch).toBe(true);
  });

  it('collects repeated and space-separated values of multiple options', () => {
    const parsed = parseArguments(['--word_similarity', 'a.tsv', 'b.tsv', '--word_similarity=c.tsv'], SPECS, {
      allowExtra: false,
      allowPositionals: false,
    });
    expect(parsed.options.word_similarity).toEqual(['a.tsv', 'b.tsv', 'c.tsv']);
  });

  it('keeps positionals, and everything after -- as positional', () => {
    const parsed = parseArguments(['king', '-k', '3', '--', '--queen'], SPECS, { allowExtra: false, allowPositionals: true });
    expect(parsed.positionals).toEqual(['king', '--queen']);
    expect(parsed.options.k).toBe('3');
  });

  it('refuses unknown options, stray positionals and missing values', () => {
    const strict = { allowExtra: false, allowPositionals: false };
    expect(() => parseArguments(['--nope', '1'], SPECS, strict)).toThrow(/unknown option --nope/);
    expect(() => parseArguments(['stray'], SPECS, strict)).toThrow(/unexpected argument "stray"/);
    expect(() => parseArguments(['--train'], SPECS, strict)).toThrow(UsageError);
    expect(() => parseArguments(['--train', '--k', '1'], SPECS, strict)).toThrow(/--train needs a value/);
    expect(() => parseArguments(['--evaluate_every_epoch=maybe'], SPECS, strict)).toThrow(/expected true or false/);
  });
});

describe('integerOption', () => {
  const parse = (argv: string[]) => parseArguments(argv, SPECS, { allowExtra: true, allowPositionals: false });
  it('falls back when absent and checks the lower bound', () => {
    expect(integerOption(parse([]), 'threads', 1, 4)).toBe(4);
    expect(integerOption(parse(['--threads', '3']), 'threads', 1, 4)).toBe(3);
    expect(() => integerOption(parse(['--threads', '0']), 'threads', 1, 4)).toThrow(/--threads: expected a positive integer, got "0"/);
    expect(() => integerOption(parse(['--seed', '1.5']), 'seed', 0, 1)).toThrow(/non-negative integer/);
    expect(() => integerOption(parse(['-k', 'x']), 'k', 1, 10)).toThrow(/^-k: /);
  });
});
