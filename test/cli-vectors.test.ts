import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORD2VEC_HYPERPARAMETERS } from '@blazefleet/core';
import { cosine } from '../packages/algorithms/src/testing/reference-formulas.js';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleet, repoRoot, writeTinyCorpus } from './blazefleet-cli.js';

const dir = temporaryDirectory('blazefleet-cli-vectors-');
let plain: string;
let subwords: string;
/** vectors.txt of the plain model, as the reference the commands are checked against. */
let reference: Map<string, number[]>;

function train(out: string, extra: string[]): void {
  const run = blazefleet(['train', '--mode', 'skipgram', '--train', join(dir, 'corpus.txt'), '--output', out, '--min_count', '1', '--vector_dim', '10', '--epochs', '2', '--threads', '1', ...extra]);
  expect(run.code, run.stderr).toBe(0);
}

function readVectorsText(path: string): Map<string, number[]> {
  const [, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  return new Map(rows.map((row) => {
    const [word, ...values] = row.trim().split(' ');
    return [word!, values.map(Number)];
  }));
}

function parseVectorLines(stdout: string): [string, number[]][] {
  return stdout.trim().split('\n').map((line) => {
    const [word, ...values] = line.split(' ');
    return [word!, values.map(Number)];
  });
}

beforeAll(() => {
  writeTinyCorpus(join(dir, 'corpus.txt'));
  plain = join(dir, 'plain');
  subwords = join(dir, 'subwords');
  train(plain, []);
  train(subwords, ['--subwords', '--buckets', '1000']);
  reference = readVectorsText(join(plain, 'vectors.txt'));
});

describe('blazefleet vectors', () => {
  it('prints each word with its vector, to five significant digits', () => {
    const run = blazefleet(['vectors', '--model', plain, 'king', 'cat']);
    expect(run.code, run.stderr).toBe(0);
    const lines = parseVectorLines(run.stdout);
    expect(lines.map(([word]) => word)).toEqual(['king', 'cat']);
    for (const [word, values] of lines) {
      expect(values).toHaveLength(10);
      values.forEach((v, i) => expect(v).toBeCloseTo(reference.get(word)![i]!, 4));
    }
  });

  it('reads words from stdin and gives the same vectors from every model file', () => {
    const outputs = [plain, join(plain, 'vectors.bin'), join(plain, 'vectors.txt')].map((model) => {
      const run = blazefleet(['vectors', '--model', model], { input: 'king\n\nqueen\n' });
      expect(run.code, run.stderr).toBe(0);
      return run.stdout;
    });
    expect(parseVectorLines(outputs[0]!).map(([word]) => word)).toEqual(['king', 'queen']);
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });

  it('prints zeros for unknown words without subwords, n-gram vectors with model.bin', () => {
    const [[, zeros]] = parseVectorLines(blazefleet(['vectors', '--model', plain, 'kingdom']).stdout) as [[string, number[]]];
    expect(zeros).toEqual(new Array(10).fill(0));
    const run = blazefleet(['vectors', '--model', subwords, 'kingdom']);
    expect(run.code, run.stderr).toBe(0);
    const [[, ngrams]] = parseVectorLines(run.stdout) as [[string, number[]]];
    expect(ngrams.some((v) => v !== 0)).toBe(true);
  });

  it('--json prints one JSON object per word', () => {
    const run = blazefleet(['vectors', '--model', plain, '--json', 'king', 'queen']);
    expect(run.code, run.stderr).toBe(0);
    const objects = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { word: string; vector: number[] });
    expect(objects.map((o) => o.word)).toEqual(['king', 'queen']);
    objects[0]!.vector.forEach((v, i) => expect(v).toBeCloseTo(reference.get('king')![i]!, 5));
  });

  it('a missing model exits 2 naming the path', () => {
    const run = blazefleet(['vectors', '--model', join(dir, 'none'), 'king']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*none: no such file or directory/);
  });
});

describe('blazefleet similar', () => {
  it('prints word<TAB>cosine neighbours, best first, without the query word', () => {
    const run = blazefleet(['similar', '--model', plain, '--word', 'king', '-k', '5']);
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout.trim().split('\n').map((line) => line.split('\t'));
    expect(rows).toHaveLength(5);
    expect(rows.map(([word]) => word)).not.toContain('king');
    const similarities = rows.map(([, s]) => Number(s));
    expect([...similarities].sort((a, b) => b - a)).toEqual(similarities);
    for (const [word, similarity] of rows) {
      expect(Number(similarity)).toBeCloseTo(cosine(reference.get('king')!, reference.get(word!)!), 4);
    }
  });

  it('--positive/--negative and --json', () => {
    const run = blazefleet(['similar', '--model', plain, '--positive', 'king,cat', '--negative', 'dog', '-k', '3', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const neighbours = JSON.parse(run.stdout) as { word: string; similarity: number }[];
    expect(neighbours).toHaveLength(3);
    for (const queryWord of ['king', 'cat', 'dog']) expect(neighbours.map((n) => n.word)).not.toContain(queryWord);
    const unit = (word: string): number[] => reference.get(word)!.map((v, _, all) => v / Math.hypot(...all));
    const [king, cat, dog] = [unit('king'), unit('cat'), unit('dog')];
    const query = king.map((v, i) => v + cat[i]! - dog[i]!);
    expect(neighbours[0]!.similarity).toBeCloseTo(cosine(query, reference.get(neighbours[0]!.word)!), 3);
  });

  it('an unknown query word exits 2 naming it', () => {
    const run = blazefleet(['similar', '--model', plain, '--word', 'kingdom']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: 'kingdom' is not in the model's vocabulary/);
  });
});

describe('blazefleet help and version', () => {
  it('--help lists the commands', () => {
    const run = blazefleet(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['train', 'vectors', 'similar', 'help']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('help train documents every hyperparameter', () => {
    for (const argv of [['help', 'train'], ['train', '--help']]) {
      const run = blazefleet(argv);
      expect(run.code).toBe(0);
      for (const name of Object.keys(WORD2VEC_HYPERPARAMETERS)) expect(run.stdout).toContain(`--${name} VALUE`);
    }
  });

  it('--version prints the sdk package version', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'packages', 'sdk', 'package.json'), 'utf8')) as { version: string };
    expect(blazefleet(['--version']).stdout.trim()).toBe(version);
  });
});
