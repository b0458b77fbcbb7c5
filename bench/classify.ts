// Text classification benchmark: Blazefleet's supervised mode against the C++ fastText on the same labeled sets in the same run.
//
//   npm run bench:classify                  # sst2, trec and 20news; lr 0.05 and 0.5; word_ngrams 1 and 2; seeds 1..3
//   npm run bench:classify -- --quick       # sst2 only, lr 0.5, for development
//   npm run bench:classify -- --datasets 20news --lrs 0.5 --ngrams 2 --seeds 1
//
// Both tools get the same hyperparameters (5 epochs, dim 100, min_count 5, loss softmax, 2 M buckets, 2 threads) and
// the same plain-text files. With 2 threads neither tool is deterministic, so every configuration runs with seeds
// 1..3 and is compared on the mean. tokens/s is epochs x tokens as fastText counts them (words, labels and one </s>
// per line) / wall seconds of the whole training command (reading, training, writing every artifact); peak RSS is the
// kernel's high-water mark of the process. Accuracy is P@1 of each tool's own `test` command; every fastText model.bin
// is scored by `blazefleet test` as well, to show that both evaluations agree. Prediction: each tool's model predicts
// (top-1 with its probability: `fasttext predict-prob`, `blazefleet predict`, output to /dev/null) the test set
// repeated to N lines and to 2N lines (N large enough for seconds of work), the runs of both tools interleaved, each
// the fastest of PREDICT_TRIES tries. Throughput is N / (seconds(2N) - seconds(N)): lines per second once the program
// has started and loaded its model, which the whole command's lines/s (N / seconds(N), also printed) mixes with
// start-up and model loading.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { measuredRun } from './measured-process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/sdk/bin/blazefleet.js');
const datasets: Record<string, { train: string; test: string }> = {
  sst2: { train: 'classify/sst2.train', test: 'classify/sst2.test' },
  trec: { train: 'classify/trec.train', test: 'classify/trec.test' },
  '20news': { train: 'classify/20news.train.gz', test: 'classify/20news.test.gz' },
};

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    datasets: { type: 'string', default: 'sst2,trec,20news' },
    lrs: { type: 'string', default: '0.05,0.5' },
    ngrams: { type: 'string', default: '1,2' },
    seeds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
  },
});
const setNames = args.quick ? ['sst2'] : args.datasets!.split(',');
const learningRates = (args.quick ? '0.5' : args.lrs!).split(',').map(Number);
const wordNgrams = args.ngrams!.split(',').map(Number);
const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => i + 1);
const threads = Number(args.threads);
const hp = { epochs: 5, dim: 100, minCount: 5, loss: 'softmax', buckets: 2_000_000 };
/** The prediction input: the test set repeated up to this many lines or tokens, whichever comes first. */
const PREDICT_LINES = 300_000;
const PREDICT_TOKENS = 15_000_000;
/** Runs of each tool on each prediction input; the fastest counts (machine noise only ever slows a run). */
const PREDICT_TRIES = 3;

type Tool = 'fastText' | 'blazefleet';
interface Run {
  dataset: string;
  lr: number;
  wordNgrams: number;
  tool: Tool;
  seed: number;
  seconds: number;
  tokensPerSecond: number;
  peakRssMiB: number;
  /** Training alone, as our trainer reports it (without reading and writing files). */
  trainerSeconds?: number;
  accuracy: number;
  /** fastText's model.bin scored by `blazefleet test`. */
  accuracyByBlazefleet?: number;
  modelBytes: number;
  /** Marginal lines/s: N / (seconds(2N) - seconds(N)). */
  predictLinesPerSecond?: number;
  /** N / seconds(N): start-up and model loading included. */
  predictCommandLinesPerSecond?: number;
  predictPeakRssMiB?: number;
}

/** Tokens as fastText's Dictionary counts them: words and labels split at its whitespace bytes, plus one </s> per line. */
function fastTextTokens(path: string): { tokens: number; lines: number } {
  const bytes = readFileSync(path);
  let tokens = 0;
  let lines = 0;
  let inWord = false;
  for (const b of bytes) {
    const space = b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0b || b === 0x0c || b === 0x00;
    if (!space && !inWord) tokens++;
    inWord = !space;
    if (b === 0x0a) lines++;
  }
  return { tokens: tokens + lines, lines };
}

/** P@1 of fastText's (or our) `test` output. */
function precisionAt1(testOutput: string): number {
  const m = /^P@1\t([0-9.e+-]+)$/m.exec(testOutput);
  if (!m) throw new Error(`no P@1 in test output:\n${testOutput}`);
  return Number(m[1]);
}

/** Seconds of training alone from our JSON log (the "Trained ..." record). */
function trainerSeconds(jsonLog: string): number | undefined {
  for (const line of jsonLog.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as { msg?: string; seconds?: number };
    if (record.msg?.startsWith('Trained') && typeof record.seconds === 'number') return record.seconds;
  }
  return undefined;
}

async function plainCopy(source: string, work: string): Promise<string> {
  if (!source.endsWith('.gz')) return source;
  const target = join(work, source.split('/').pop()!.replace(/\.gz$/, ''));
  await pipeline(createReadStream(source), createGunzip(), createWriteStream(target));
  return target;
}

async function main() {
  if (spawnSync('fasttext', [], { stdio: 'ignore' }).error !== undefined) throw new Error('fastText not found (apt-get install fasttext)');
  const work = await mkdtemp(join(tmpdir(), 'blazefleet-bench-classify-'));
  const loadAtStart = loadavg();
  const runs: Run[] = [];
  const sizes: Record<string, { trainTokens: number; trainLines: number; predictLines: number }> = {};
  try {
    for (const name of setNames) {
      const set = datasets[name];
      if (!set) throw new Error(`unknown data set ${name} (${Object.keys(datasets).join(', ')})`);
      const trainSource = resolve(root, '../shared/data', set.train);
      if (!existsSync(trainSource)) throw new Error(`data set not found: ${trainSource}`);
      const train = await plainCopy(trainSource, work);
      const test = await plainCopy(resolve(root, '../shared/data', set.test), work);
      const { tokens, lines } = fastTextTokens(train);
      const testText = readFileSync(test);
      const testSize = fastTextTokens(test);
      const repeats = Math.max(1, Math.min(Math.ceil(PREDICT_LINES / testSize.lines), Math.ceil(PREDICT_TOKENS / testSize.tokens)));
      const predictInput = join(work, `${name}.predict.txt`);
      writeFileSync(predictInput, Buffer.concat(Array.from({ length: repeats }, () => testText)));
      const predictInputTwice = join(work, `${name}.predict2.txt`);
      writeFileSync(predictInputTwice, Buffer.concat(Array.from({ length: 2 * repeats }, () => testText)));
      sizes[name] = { trainTokens: tokens, trainLines: lines, predictLines: repeats * testSize.lines };
      console.log(`${name}: ${lines} training lines, ${tokens} tokens per epoch; prediction input ${repeats * testSize.lines} lines`);

      for (const lr of learningRates) {
        for (const n of wordNgrams) {
          const common = { dataset: name, lr, wordNgrams: n };
          const lines = sizes[name]!.predictLines;
          /** Both tools' prediction speeds, runs interleaved so that a change in machine load hits both alike. */
          const predictSpeeds = async (ftModel: string, ourModel: string) => {
            const commands = {
              fastText: (input: string) => ['fasttext', ['predict-prob', ftModel, input, '1']] as const,
              blazefleet: (input: string) => [process.execPath, [bin, 'predict', '--model', ourModel, '--input', input]] as const,
            };
            const best = { fastText: [Infinity, Infinity], blazefleet: [Infinity, Infinity] };
            const peak = { fastText: 0, blazefleet: 0 };
            for (let attempt = 0; attempt < PREDICT_TRIES; attempt++) {
              for (const [i, input] of [predictInput, predictInputTwice].entries()) {
                for (const tool of ['fastText', 'blazefleet'] as const) {
                  const [command, argv] = commands[tool](input);
                  const r = await measuredRun(command, [...argv]);
                  best[tool][i] = Math.min(best[tool][i]!, r.seconds);
                  peak[tool] = Math.max(peak[tool], r.peakRssMiB);
                }
              }
            }
            const speed = (tool: Tool) => ({
              predictLinesPerSecond: lines / Math.max(1e-3, best[tool][1]! - best[tool][0]!),
              predictCommandLinesPerSecond: lines / best[tool][0]!,
              predictPeakRssMiB: peak[tool],
            });
            return { fastText: speed('fastText'), blazefleet: speed('blazefleet') };
          };
          const record = (run: Run) => {
            runs.push(run);
            console.log(
              `  ${name} lr ${lr} ngrams ${n} ${run.tool.padEnd(10)} seed ${run.seed}: ${run.seconds.toFixed(1).padStart(6)} s  P@1 ${run.accuracy.toFixed(3)}` +
                (run.accuracyByBlazefleet === undefined ? '' : ` (blazefleet test: ${run.accuracyByBlazefleet.toFixed(3)})`) +
                (run.predictLinesPerSecond === undefined
                  ? ''
                  : `  predict ${Math.round(run.predictLinesPerSecond)} lines/s (whole command ${Math.round(run.predictCommandLinesPerSecond!)})`),
            );
          };
          for (const seed of seeds) {
            // fastText, then ours with the same seed, so that a change in machine load hits both alike.
            const ftOut = join(work, `fasttext-${name}-${lr}-${n}-${seed}`);
            const ftModel = `${ftOut}.bin`;
            const ft = await measuredRun('fasttext', [
              'supervised', '-input', train, '-output', ftOut, '-dim', String(hp.dim), '-lr', String(lr), '-wordNgrams', String(n),
              '-minCount', String(hp.minCount), '-epoch', String(hp.epochs), '-loss', hp.loss, '-bucket', String(hp.buckets),
              '-thread', String(threads), '-seed', String(seed), '-verbose', '0',
            ]);
            const ftRun: Run = {
              ...common, tool: 'fastText', seed, seconds: ft.seconds, peakRssMiB: ft.peakRssMiB, tokensPerSecond: (hp.epochs * tokens) / ft.seconds,
              accuracy: precisionAt1((await measuredRun('fasttext', ['test', ftModel, test], { keepStdout: true })).stdout),
              accuracyByBlazefleet: precisionAt1((await measuredRun(process.execPath, [bin, 'test', '--model', ftModel, '--input', test], { keepStdout: true })).stdout),
              modelBytes: statSync(ftModel).size,
            };
            await rm(`${ftOut}.vec`, { force: true });

            const ourOut = join(work, `blazefleet-${name}-${lr}-${n}-${seed}`);
            const ourModel = join(ourOut, 'model.bin');
            const ours = await measuredRun(process.execPath, [
              bin, 'train', '--mode', 'supervised', '--train', train, '--output', ourOut, '--vector_dim', String(hp.dim),
              '--learning_rate', String(lr), '--word_ngrams', String(n), '--min_count', String(hp.minCount), '--epochs', String(hp.epochs),
              '--loss', hp.loss, '--buckets', String(hp.buckets), '--threads', String(threads), '--seed', String(seed), '--log-format', 'json',
            ], { keepStdout: true });
            const trained = trainerSeconds(ours.stdout);
            const ourRun: Run = {
              ...common, tool: 'blazefleet', seed, seconds: ours.seconds, peakRssMiB: ours.peakRssMiB, tokensPerSecond: (hp.epochs * tokens) / ours.seconds,
              ...(trained === undefined ? {} : { trainerSeconds: trained }),
              accuracy: precisionAt1((await measuredRun(process.execPath, [bin, 'test', '--model', ourModel, '--input', test], { keepStdout: true })).stdout),
              modelBytes: statSync(ourModel).size,
            };
            if (seed === 1) {
              const speeds = await predictSpeeds(ftModel, ourModel);
              Object.assign(ftRun, speeds.fastText);
              Object.assign(ourRun, speeds.blazefleet);
            }
            record(ftRun);
            record(ourRun);
            await rm(ftModel, { force: true });
            await rm(ourOut, { recursive: true, force: true });
          }
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  report(runs, sizes, loadAtStart);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const points = (accuracy: number) => (100 * accuracy).toFixed(1);

interface Summary {
  dataset: string;
  lr: number;
  wordNgrams: number;
  tool: Tool;
  seconds: number;
  tokensPerSecond: number;
  trainerSeconds?: number;
  accuracy: { min: number; mean: number; max: number };
  modelBytes: number;
  peakRssMiB: number;
  predictLinesPerSecond: number;
  predictCommandLinesPerSecond: number;
}

function summarize(runs: Run[]): Summary[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const key = `${r.dataset} ${r.lr} ${r.wordNgrams} ${r.tool}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const accuracies = group.map((r) => r.accuracy);
    const trainer = group.flatMap((r) => (r.trainerSeconds === undefined ? [] : [r.trainerSeconds]));
    return {
      dataset: first.dataset,
      lr: first.lr,
      wordNgrams: first.wordNgrams,
      tool: first.tool,
      seconds: mean(group.map((r) => r.seconds)),
      tokensPerSecond: mean(group.map((r) => r.tokensPerSecond)),
      ...(trainer.length ? { trainerSeconds: mean(trainer) } : {}),
      accuracy: { min: Math.min(...accuracies), mean: mean(accuracies), max: Math.max(...accuracies) },
      modelBytes: first.modelBytes,
      peakRssMiB: Math.max(...group.map((r) => r.peakRssMiB)),
      predictLinesPerSecond: group.find((r) => r.predictLinesPerSecond !== undefined)?.predictLinesPerSecond ?? NaN,
      predictCommandLinesPerSecond: group.find((r) => r.predictCommandLinesPerSecond !== undefined)?.predictCommandLinesPerSecond ?? NaN,
    };
  });
}

function report(runs: Run[], sizes: Record<string, unknown>, loadAtStart: number[]) {
  const summaries = summarize(runs);
  const fastTextOf = (s: Summary) => summaries.find((f) => f.tool === 'fastText' && f.dataset === s.dataset && f.lr === s.lr && f.wordNgrams === s.wordNgrams);
  const lines = [
    `| set | lr | ngrams | tool | train wall s | tokens/s | trainer-only s | P@1 % min / mean / max | model MiB | peak RSS MiB | predict lines/s | whole predict command lines/s | tokens/s vs fastText | predict vs fastText | whole predict command vs fastText | P@1 - fastText (points) | RSS vs fastText |`,
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of summaries) {
    const ft = fastTextOf(s)!;
    const ratios =
      s.tool === 'fastText'
        ? '- | - | - | - | - |'
        : `${(s.tokensPerSecond / ft.tokensPerSecond).toFixed(2)}x | ${(s.predictLinesPerSecond / ft.predictLinesPerSecond).toFixed(2)}x | ` +
          `${(s.predictCommandLinesPerSecond / ft.predictCommandLinesPerSecond).toFixed(2)}x | ` +
          `${(100 * (s.accuracy.mean - ft.accuracy.mean)).toFixed(2)} | ${(s.peakRssMiB / ft.peakRssMiB).toFixed(2)}x |`;
    lines.push(
      `| ${s.dataset} | ${s.lr} | ${s.wordNgrams} | ${s.tool} | ${s.seconds.toFixed(1)} | ${fmt(s.tokensPerSecond)} | ${s.trainerSeconds?.toFixed(2) ?? '-'} | ` +
        `${points(s.accuracy.min)} / ${points(s.accuracy.mean)} / ${points(s.accuracy.max)} | ${(s.modelBytes / 2 ** 20).toFixed(1)} | ${s.peakRssMiB.toFixed(0)} | ` +
        `${fmt(s.predictLinesPerSecond)} | ${fmt(s.predictCommandLinesPerSecond)} | ${ratios}`,
    );
  }
  console.log('\n' + lines.join('\n'));

  const checks: string[] = [];
  for (const s of summaries.filter((x) => x.tool === 'blazefleet')) {
    const ft = fastTextOf(s)!;
    const gap = 100 * (s.accuracy.mean - ft.accuracy.mean);
    const speed = s.tokensPerSecond / ft.tokensPerSecond;
    const predict = s.predictLinesPerSecond / ft.predictLinesPerSecond;
    checks.push(
      `${s.dataset} lr ${s.lr} ngrams ${s.wordNgrams}: P@1 ${gap >= 0 ? '+' : ''}${gap.toFixed(2)} points (floor -0.3) ${gap >= -0.3 ? 'met' : 'MISSED'}; ` +
        `training ${speed.toFixed(2)}x fastText tokens/s (target >= 1.0x) ${speed >= 1 ? 'met' : 'MISSED'}; ` +
        `prediction ${predict.toFixed(2)}x fastText lines/s (target >= 1.0x) ${predict >= 1 ? 'met' : 'MISSED'} ` +
        `(whole command, start-up and model loading included: ${(s.predictCommandLinesPerSecond / ft.predictCommandLinesPerSecond).toFixed(2)}x)`,
    );
  }
  const scored = runs.filter((r) => r.accuracyByBlazefleet !== undefined);
  const disagreements = scored.filter((r) => r.accuracyByBlazefleet !== r.accuracy);
  checks.push(
    `fastText models scored by blazefleet test: P@1 equal to fastText test in ${scored.length - disagreements.length} of ${scored.length} runs` +
      (disagreements.length ? ` (differs: ${disagreements.map((r) => `${r.dataset} lr ${r.lr} ngrams ${r.wordNgrams} seed ${r.seed}: ${r.accuracy} vs ${r.accuracyByBlazefleet}`).join('; ')})` : ''),
  );
  const loadAtEnd = loadavg();
  checks.push(`load average (1/5/15 min): ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} at start, ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')} at end`);
  console.log('\n' + checks.map((c) => `- ${c}`).join('\n'));

  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `classify-${args.quick ? 'quick' : 'full'}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ datasets: sizes, threads, seeds, hyperparameters: hp, loadAverage: { start: loadAtStart, end: loadAtEnd }, runs, summaries }, null, 2) + '\n');
  console.log(`\nresults: ${file}`);
}

await main();
