import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { directorySnapshot } from '../packages/algorithms/src/testing/directory-snapshot.js';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleet, jsonRecords, writeTinyCorpus } from './blazefleet-cli.js';

const dir = temporaryDirectory('blazefleet-cli-errors-');
const corpus = join(dir, 'corpus.txt');

beforeAll(() => {
  writeTinyCorpus(corpus);
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'binary.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)));
  writeFileSync(join(dir, 'invalid-hp.json'), '{"mode": "skipgram",');
  writeFileSync(join(dir, 'array-hp.json'), '["mode", "skipgram"]');
  writeFileSync(join(dir, 'bad-value-hp.json'), '{"mode": "skipgram", "negative_samples": "zero"}');
});

interface BadInput {
  name: string;
  /** Flags after `train --train <corpus> --output <out>` and the tiny-run defaults. */
  args: (dir: string) => string[];
  /** What the message must name. */
  mentions: RegExp[];
  withoutMode?: boolean;
  withoutTrain?: boolean;
  withoutOutput?: boolean;
}

const BAD_INPUTS: BadInput[] = [
  { name: 'unknown hyperparameter', args: () => ['--vectr_dim', '10'], mentions: [/'vectr_dim'/, /did you mean 'vector_dim'/] },
  { name: 'mistyped value', args: () => ['--vector_dim', 'abc'], mentions: [/'vector_dim'/, /"abc"/] },
  { name: 'learning_rate out of range', args: () => ['--learning_rate', '0'], mentions: [/'learning_rate'/, /\(0, 10\]/] },
  { name: 'window_size out of range', args: () => ['--window_size', '0'], mentions: [/'window_size'/] },
  { name: 'subwords with batch_skipgram', args: () => ['--subwords', 'true', '--mode', 'batch_skipgram'], mentions: [/'subwords'/, /batch_skipgram/] },
  { name: '--subwords alone with batch_skipgram', args: () => ['--mode=batch_skipgram', '--subwords'], mentions: [/'subwords'/] },
  { name: 'unknown mode', args: () => ['--mode', 'classify'], mentions: [/'mode'/, /one of cbow, skipgram, batch_skipgram, supervised/] },
  { name: 'missing mode', args: () => [], withoutMode: true, mentions: [/'mode'/, /required/] },
  { name: 'missing corpus', args: (d) => ['--train', join(d, 'missing.txt')], mentions: [/missing\.txt/] },
  { name: 'empty corpus', args: (d) => ['--train', join(d, 'empty.txt')], mentions: [/empty\.txt/, /empty/] },
  { name: 'binary corpus', args: (d) => ['--train', join(d, 'binary.bin')], mentions: [/binary\.bin/, /binary/] },
  { name: 'no word above min_count', args: () => ['--min_count', '100000'], mentions: [/corpus\.txt/, /min_count/] },
  { name: 'invalid hyperparameters JSON', args: (d) => ['--hyperparameters', join(d, 'invalid-hp.json')], mentions: [/invalid-hp\.json/, /invalid JSON/] },
  { name: 'hyperparameters JSON not an object', args: (d) => ['--hyperparameters', join(d, 'array-hp.json')], mentions: [/array-hp\.json/, /object/] },
  { name: 'bad value in hyperparameters JSON', args: (d) => ['--hyperparameters', join(d, 'bad-value-hp.json')], mentions: [/'negative_samples'/, /"zero"/] },
  { name: 'missing hyperparameters file', args: (d) => ['--hyperparameters', join(d, 'none.json')], mentions: [/none\.json/] },
  { name: 'missing word similarity file', args: (d) => ['--word_similarity', join(d, 'nope.tsv')], mentions: [/nope\.tsv/] },
  { name: 'divergence', args: () => ['--learning_rate', '10', '--vector_dim', '300', '--epochs', '5'], mentions: [/diverged/, /learning_rate/] },
  { name: 'missing --train', args: () => [], withoutTrain: true, mentions: [/--train/] },
  { name: 'non-positive --threads', args: () => ['--threads', '0'], mentions: [/--threads/, /positive integer/] },
  { name: 'negative --seed', args: () => ['--seed', '-1'], mentions: [/--seed/, /non-negative integer/] },
  { name: 'unknown --log-format', args: () => ['--log-format', 'xml'], mentions: [/--log-format/, /"xml"/] },
];

function trainArgs(input: BadInput, out: string): string[] {
  return [
    'train',
    ...(input.withoutTrain ? [] : ['--train', corpus]),
    ...(input.withoutOutput ? [] : ['--output', out]),
    ...(input.withoutMode ? [] : ['--mode', 'skipgram']),
    ...['--min_count', '1', '--vector_dim', '10', '--epochs', '1', '--threads', '1', '--log-format', 'text'],
    ...input.args(dir),
  ];
}

describe('blazefleet train: bad input exits 2, names the problem and leaves --output untouched', () => {
  for (const input of BAD_INPUTS) {
    it(input.name, () => {
      const fresh = join(dir, `out-${input.name.replace(/\W+/g, '-')}`);
      const existing = `${fresh}-existing`;
      mkdirSync(existing);
      writeFileSync(join(existing, 'keep.txt'), 'earlier results');
      const before = directorySnapshot(existing);

      for (const out of [fresh, existing]) {
        const run = blazefleet(trainArgs(input, out));
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toMatch(/^error: /);
        for (const mention of input.mentions) expect(run.stderr).toMatch(mention);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
      expect(directorySnapshot(fresh)).toBeNull();
      expect(directorySnapshot(existing)).toEqual(before);
    });
  }

  it('missing --output', () => {
    const run = blazefleet(['train', '--mode', 'skipgram', '--train', corpus]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --output DIR is required/);
  });

  it('--output that is a file', () => {
    const file = join(dir, 'output-file');
    writeFileSync(file, 'x');
    const run = blazefleet(['train', '--mode', 'skipgram', '--train', corpus, '--output', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/output-file: exists and is not a directory/);
  });

  it('adds a pino error record on stdout in JSON mode', () => {
    const run = blazefleet(['train', '--mode', 'skipgram', '--train', corpus, '--output', join(dir, 'json-out'), '--vector_dim', 'abc', '--log-format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: hyperparameter 'vector_dim'/);
    const [record] = jsonRecords(run.stdout);
    expect(record).toMatchObject({ level: 50, error: 'HyperparameterError', field: 'vector_dim', exitCode: 2 });
    expect(record!.msg).toMatch(/vector_dim/);
  });
});

describe('blazefleet usage errors', () => {
  it('unknown command', () => {
    const run = blazefleet(['fly']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: unknown command 'fly'/);
  });

  it('no command prints the help on stderr', () => {
    const run = blazefleet([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Usage: blazefleet <command>/);
  });

  it('unknown option of a command without hyperparameters', () => {
    const run = blazefleet(['vectors', '--model', dir, '--nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: unknown option --nope/);
  });
});
