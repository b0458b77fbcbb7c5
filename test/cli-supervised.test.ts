import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeLines } from '../packages/algorithms/src/testing/corpus-files.js';
import { directorySnapshot } from '../packages/algorithms/src/testing/directory-snapshot.js';
import { hasFastText } from '../packages/algorithms/src/testing/reference-tools.js';
import { seededRandom } from '../packages/algorithms/src/testing/seeded-random.js';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleet, jsonRecords, sharedData, writeTinyCorpus } from './blazefleet-cli.js';

/** The SageMaker-style metric definition for validation:accuracy; it must find the metric in both log formats. */
const VALIDATION_ACCURACY_REGEX = /#validation_accuracy: (-?[0-9.]+)/g;

const dir = temporaryDirectory('blazefleet-cli-supervised-');
const trecTrain = sharedData('classify/trec.train');
const trecTest = sharedData('classify/trec.test');

interface EndpointAnswer {
  label: string[];
  prob: number[];
}

function accuracyOf(out: string): number {
  return (JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { accuracy: number }).accuracy;
}

/** `label prob label prob ...` of fastText's predict-prob, as pairs. */
function predictProbPairs(line: string): [string, number][] {
  const fields = line.split(' ').filter((field) => field !== '');
  return Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i]!, Number(fields[2 * i + 1])]);
}

describe.skipIf(trecTrain === undefined || trecTest === undefined)('blazefleet supervised on TREC questions', () => {
  const train = join(dir, 'trec-2000.train');
  const out = join(dir, 'trec-out');
  // Fewer buckets and dimensions than the defaults keep model.bin at megabytes instead of 800 MB.
  const settings = ['--epochs', '5', '--learning_rate', '0.5', '--buckets', '200000', '--vector_dim', '30', '--threads', '1'];
  let trainRun: ReturnType<typeof blazefleet>;
  let testLines: string[];
  let texts: string[];

  beforeAll(() => {
    writeLines(train, readFileSync(trecTrain!, 'utf8').split('\n').slice(0, 2000));
    testLines = readFileSync(trecTest!, 'utf8').trimEnd().split('\n');
    texts = testLines.map((line) => line.replace(/^(__label__\S+\s+)+/, ''));
    trainRun = blazefleet(['train', '--mode', 'supervised', '--train', train, '--validation', trecTest!, '--output', out, ...settings, '--log-format', 'json']);
  });

  it('writes model.bin, metrics.json and model.tar.gz and logs per-epoch and final metrics', () => {
    expect(trainRun.code, trainRun.stderr).toBe(0);
    for (const file of ['model.bin', 'metrics.json', 'model.tar.gz']) expect(existsSync(join(out, file)), file).toBe(true);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.examples).toBe(testLines.length);
    expect(metrics.labels.map((l: { label: string }) => l.label).sort()).toEqual(['ABBR', 'DESC', 'ENTY', 'HUM', 'LOC', 'NUM'].map((l) => `__label__${l}`));
    expect(metrics.confusionMatrix.counts).toHaveLength(6);
    expect(metrics.accuracy).toBeGreaterThan(0.75);

    const records = jsonRecords(trainRun.stdout).filter((r) => r.msg === 'metric');
    expect(records.filter((r) => r.metric === 'train:loss').map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(records.filter((r) => r.metric === 'validation:accuracy' && r.final === false).map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(records.at(-1)).toMatchObject({ metric: 'validation:accuracy', final: true, value: metrics.accuracy });
    const scraped = [...trainRun.stdout.matchAll(VALIDATION_ACCURACY_REGEX)].map((m) => Number(m[1]));
    expect(scraped).toHaveLength(6);
    expect(scraped.at(-1)).toBe(Number(metrics.accuracy.toFixed(6)));
  });

  it('prints BlazingText-style text with the validation accuracy line', () => {
    const textOut = join(dir, 'trec-text');
    const run = blazefleet(['train', '--mode', 'supervised', '--train', train, '--validation', trecTest!, '--output', textOut, ...settings, '--log-format', 'text']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain('Training finished!');
    expect(lines.filter((l) => /^#train_loss: [0-9.]+$/.test(l))).toHaveLength(5);
    expect(lines.slice(-2)).toEqual([`#validation_accuracy: ${Number(accuracyOf(textOut).toFixed(6))}`, `Number of validation examples: ${testLines.length}`]);
  });

  it('tests like fastText: N, P@1 and R@1 equal to the validation accuracy on single-label data', () => {
    const run = blazefleet(['test', '--model', out, '--input', trecTest!]);
    expect(run.code, run.stderr).toBe(0);
    const accuracy = Number(accuracyOf(out).toPrecision(3));
    expect(run.stdout).toBe(`N\t${testLines.length}\nP@1\t${accuracy}\nR@1\t${accuracy}\n`);
  });

  it('tests at k = 2: every example gets two predictions for one gold label, so P@2 is half of R@2', () => {
    const run = blazefleet(['test', '--model', join(out, 'model.bin'), '--input', trecTest!, '-k', '2']);
    expect(run.code, run.stderr).toBe(0);
    const [n, p, r] = run.stdout.trimEnd().split('\n').map((line) => line.split('\t'));
    expect(n).toEqual(['N', String(testLines.length)]);
    expect([p![0], r![0]]).toEqual(['P@2', 'R@2']);
    expect(Number(r![1])).toBeGreaterThanOrEqual(Number(accuracyOf(out).toPrecision(3)));
    expect(Number(p![1])).toBeCloseTo(Number(r![1]) / 2, 2);
  });

  it('predicts the top k labels with descending probabilities, one line per input line', () => {
    const run = blazefleet(['predict', '--model', out, '--input', trecTest!, '-k', '3']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(testLines.length);
    for (const line of lines) {
      const pairs = predictProbPairs(line);
      expect(pairs, line).toHaveLength(3);
      expect(pairs.every(([label]) => label.startsWith('__label__'))).toBe(true);
      const probabilities = pairs.map(([, p]) => p);
      expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
      expect(probabilities.reduce((a, b) => a + b)).toBeLessThanOrEqual(1.0001);
    }
    // The texts without their labels get the same predictions: labels are not input features.
    const unlabeled = blazefleet(['predict', '--model', out, '--input', '-', '-k', '3'], { input: `${texts.join('\n')}\n` });
    expect(unlabeled.stdout).toBe(run.stdout);
  });

  it('keeps only labels with probability >= --threshold', () => {
    const run = blazefleet(['predict', '--model', out, '--input', trecTest!, '-k', '6', '--threshold', '0.9']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(testLines.length);
    const pairs = lines.map(predictProbPairs);
    expect(pairs.every((line) => line.length <= 1 && line.every(([, p]) => p >= 0.9))).toBe(true);
    expect(pairs.some((line) => line.length === 0)).toBe(true);
  });

  it('writes the BlazingText endpoint JSON per line with --format json', () => {
    const text = blazefleet(['predict', '--model', out, '--input', trecTest!, '-k', '2']);
    const json = blazefleet(['predict', '--model', out, '--input', trecTest!, '-k', '2', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const answers = json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as EndpointAnswer);
    expect(answers).toHaveLength(testLines.length);
    answers.forEach((answer, i) => {
      expect(Object.keys(answer)).toEqual(['label', 'prob']);
      const pairs = predictProbPairs(text.stdout.split('\n')[i]!);
      expect(answer.label).toEqual(pairs.map(([label]) => label));
      answer.prob.forEach((p, j) => expect(p).toBeCloseTo(pairs[j]![1], 5));
    });
  });

  it('answers a BlazingText endpoint request from stdin or a file with one JSON array', () => {
    const request = { instances: texts.slice(0, 5), configuration: { k: 2 } };
    const fromStdin = blazefleet(['predict', '--model', out, '--input', '-'], { input: JSON.stringify(request) });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    const answers = JSON.parse(fromStdin.stdout) as EndpointAnswer[];
    expect(answers).toHaveLength(5);
    const perLine = blazefleet(['predict', '--model', out, '--input', '-', '-k', '2', '--format', 'json'], { input: `${texts.slice(0, 5).join('\n')}\n` });
    expect(answers).toEqual(perLine.stdout.trimEnd().split('\n').map((line) => JSON.parse(line)));

    const requestFile = join(dir, 'request.json');
    writeFileSync(requestFile, JSON.stringify({ instances: texts.slice(0, 3) }, null, 2));
    const fromFile = blazefleet(['predict', '--model', out, '--input', requestFile]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect((JSON.parse(fromFile.stdout) as EndpointAnswer[]).map((a) => a.label.length)).toEqual([1, 1, 1]);
  });

  it.skipIf(!hasFastText())('writes a model.bin that fastText reads: the same test scores and predictions', () => {
    const model = join(out, 'model.bin');
    for (const k of ['1', '2']) {
      const ours = blazefleet(['test', '--model', model, '--input', trecTest!, '-k', k]);
      expect(ours.stdout).toBe(execFileSync('fasttext', ['test', model, trecTest!, k], { encoding: 'utf8' }));
    }
    // fastText prints exp(log(p + 1e-5)), so p + 1e-5, to 6 significant digits as we print p: each printed number is
    // within half a unit of its sixth digit (5e-6 near 1) of the value, and the sums may differ in the last bits.
    const ours = blazefleet(['predict', '--model', model, '--input', trecTest!]).stdout.trimEnd().split('\n').map(predictProbPairs);
    const theirs = execFileSync('fasttext', ['predict-prob', model, trecTest!, '1'], { encoding: 'utf8' }).trimEnd().split('\n').map(predictProbPairs);
    expect(ours.map((pairs) => pairs.map(([label]) => label))).toEqual(theirs.map((pairs) => pairs.map(([label]) => label)));
    ours.forEach((pairs, i) => expect(Math.abs(pairs[0]![1] + 1e-5 - theirs[i]![0]![1])).toBeLessThanOrEqual(5.5e-6));
  });
});

describe('blazefleet supervised: bad input exits 2 and names the problem', () => {
  const labeled = join(dir, 'labeled.txt');
  const unlabeled = join(dir, 'unlabeled.txt');
  const unknownLabels = join(dir, 'unknown-labels.txt');
  const model = join(dir, 'tiny-model');
  const tiny = ['--min_count', '1', '--vector_dim', '10', '--buckets', '1000', '--epochs', '2', '--threads', '1', '--log-format', 'text'];

  beforeAll(() => {
    const random = seededRandom(3);
    const topics = { sport: 'ball goal team match', food: 'bread soup cook salt' };
    writeLines(
      labeled,
      Array.from({ length: 100 }, () => {
        const [label, words] = Object.entries(topics)[Math.floor(random() * 2)]!;
        return `__label__${label} ${Array.from({ length: 6 }, () => words.split(' ')[Math.floor(random() * 4)]).join(' ')}`;
      }),
    );
    writeLines(unlabeled, ['ball goal team', 'bread soup cook']);
    writeLines(unknownLabels, ['__label__weather rain sun', '__label__travel train plane']);
    writeFileSync(join(dir, 'empty.txt'), '');
    const run = blazefleet(['train', '--mode', 'supervised', '--train', labeled, '--output', model, ...tiny]);
    expect(run.code, run.stderr).toBe(0);
  });

  function expectUsageFailure(args: string[], mentions: RegExp[], input?: string): void {
    const run = blazefleet(args, input === undefined ? {} : { input });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: /);
    for (const mention of mentions) expect(run.stderr).toMatch(mention);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }

  it.each([
    ['a training file without labels', () => ['--train', unlabeled], [/unlabeled\.txt/, /label/]],
    ['a validation set with no known label', () => ['--train', labeled, '--validation', unknownLabels], [/unknown-labels\.txt/]],
    ['an empty validation file', () => ['--train', labeled, '--validation', join(dir, 'empty.txt')], [/empty\.txt/]],
    ['early_stopping without --validation', () => ['--train', labeled, '--early_stopping', 'true'], [/'early_stopping'/, /--validation/]],
    ['a word2vec option', () => ['--train', labeled, '--evaluate_every_epoch'], [/--evaluate_every_epoch/, /supervised/]],
    ['a missing validation file', () => ['--train', labeled, '--validation', join(dir, 'absent.txt')], [/absent\.txt/]],
  ])('train with %s leaves --output untouched', (_name, args, mentions) => {
    const existing = join(dir, `existing-${Math.random().toString(36).slice(2)}`);
    mkdirSync(existing);
    writeFileSync(join(existing, 'model.bin'), 'an earlier model');
    const before = directorySnapshot(existing);
    expectUsageFailure(['train', '--mode', 'supervised', '--output', existing, ...tiny, ...args()], mentions);
    expect(directorySnapshot(existing)).toEqual(before);
  });

  it('rejects an unknown --mode, naming the modes there are', () => {
    expectUsageFailure(['train', '--mode', 'classify', '--train', labeled, '--output', join(dir, 'never')], [/'mode'/, /supervised/, /skipgram/]);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('rejects --validation in a word2vec mode', () => {
    expectUsageFailure(['train', '--mode', 'skipgram', '--train', labeled, '--validation', labeled, '--output', join(dir, 'never')], [/--validation/, /skipgram/]);
  });

  it('rejects a word-vector model for predict and test', () => {
    const corpus = join(dir, 'corpus.txt');
    writeTinyCorpus(corpus);
    const vectors = join(dir, 'vectors-model');
    expect(blazefleet(['train', '--mode', 'skipgram', '--subwords', '--train', corpus, '--output', vectors, '--min_count', '1', '--vector_dim', '10', '--epochs', '1', '--buckets', '1000', '--threads', '1']).code).toBe(0);
    expectUsageFailure(['predict', '--model', vectors, '--input', '-'], [/not a classifier/], 'ball goal\n');
    expectUsageFailure(['test', '--model', join(vectors, 'model.bin'), '--input', labeled], [/not a classifier/]);
    expectUsageFailure(['predict', '--model', join(dir, 'nowhere'), '--input', '-'], [/nowhere/], 'ball\n');
  });

  it('rejects malformed requests and inputs of predict', () => {
    expectUsageFailure(['predict', '--model', model, '--input', '-'], [/instances/], '{"instances": "ball goal"}');
    expectUsageFailure(['predict', '--model', model, '--input', '-'], [/configuration\.k/], '{"instances": ["ball"], "configuration": {"k": 0}}');
    expectUsageFailure(['predict', '--model', model, '--input', '-'], [/instances/], '{"text": "ball"}');
    expectUsageFailure(['predict', '--model', model], [/--input/]);
    expectUsageFailure(['predict', '--model', model, '--input', '-', '--format', 'xml'], [/--format/, /"xml"/], 'ball\n');
    expectUsageFailure(['predict', '--model', model, '--input', '-', '--threshold', '-1'], [/--threshold/]);
    const invalidUtf8 = join(dir, 'invalid.txt');
    writeFileSync(invalidUtf8, Buffer.from([0x62, 0x61, 0xff, 0xfe, 0x0a]));
    expectUsageFailure(['predict', '--model', model, '--input', invalidUtf8], [/invalid\.txt/, /UTF-8/]);
  });

  it('rejects test data without a label the model knows', () => {
    expectUsageFailure(['test', '--model', model, '--input', unknownLabels], [/unknown-labels\.txt/]);
  });

  it('predicts texts it never saw, and empty lines, without failing', () => {
    const run = blazefleet(['predict', '--model', model, '--input', '-', '--format', 'json'], { input: 'zebra quantum\n\nBALL, Goal!\n' });
    expect(run.code, run.stderr).toBe(0);
    const answers = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as EndpointAnswer);
    expect(answers).toHaveLength(3);
    expect(answers[2]!.label).toEqual(['__label__sport']);
  });
});
