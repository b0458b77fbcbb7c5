// Tuning jobs end to end on the fleet (scheduler, workers, Redis, file:// artifacts), word2vec for WS-353 mean_rho.
//
//   npm run bench:tuning-job                       # both parts
//   npm run bench:tuning-job -- --part text8       # part 1 only
//   npm run bench:tuning-job -- --part compare     # part 2 only
//   npm run bench:tuning-job -- --part compare-text8 --compare-trials 20   # part 3
//
// 1. text8: a Bayesian tuning job of --trials (30) trials on the 16.9 M-word corpus, and training jobs with
//    BlazingText's default hyperparameters (each mode of the range) at the same epochs: the tuned best mean_rho
//    against the defaults', wall time, and billable seconds and cost per trial. The ranges are the AMT word2vec
//    experiment's (mode, learning_rate, vector_dim, min_count), with window_size and negative_samples narrowed and
//    --epochs (1) instead of 5, so that 30 trials fit in a quarter of an hour on 2 cores (a trial at window 30 and
//    25 negatives costs about 25 times one at 5 and 5).
// 2. compare: the demo's experiment (the bundled 500 k-word corpus, its ranges, 5 epochs, 12 trials) with Bayesian and
//    with Random, seeds 1..--seeds (3): the best mean_rho after n trials, per strategy, seed and n.
// 3. compare-text8: the same comparison on part 1's corpus, ranges and epochs, with --compare-trials trials each.
// Both parts run --parallel (2) trials at a time on as many `blazefleet worker` processes, driven by a
// `blazefleet scheduler` process, under a Redis key prefix of their own (REDIS_URL, default 127.0.0.1:6379).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { deleteKeysUnder } from '../packages/queue/src/testing/test-fleet.js';
import type { TrialAnalytics } from '../packages/scheduler/src/index.js';
import { TrainingJobsClient } from '../packages/sdk/src/training-jobs-client.js';
import { TuningJobsClient } from '../packages/sdk/src/tuning-jobs-client.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/sdk/bin/blazefleet.js');
const { values: args } = parseArgs({
  options: {
    part: { type: 'string', default: 'text8,compare' },
    corpus: { type: 'string', default: '../shared/data/corpus/wiki2015-text8style.txt.gz' },
    trials: { type: 'string', default: '30' },
    epochs: { type: 'string', default: '1' },
    'compare-corpus': { type: 'string', default: 'examples/data/wiki-500k.txt.gz' },
    'compare-trials': { type: 'string' },
    seeds: { type: 'string', default: '3' },
    parallel: { type: 'string', default: '2' },
  },
});
const parts = args.part!.split(',');
const parallel = Number(args.parallel);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bfbench:tuning:${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'blazefleet-bench-tuning-'));
const fleetEnv = { ...process.env, REDIS_URL: redisUrl, BLAZEFLEET_PREFIX: prefix };

function corpusUri(path: string): string {
  const absolute = resolve(root, path);
  if (!existsSync(absolute)) throw new Error(`corpus not found: ${absolute}`);
  return `file://${absolute}`;
}

function trainingJobDefinition(corpus: string, hyperParameters: Record<string, string>) {
  return {
    algorithm: 'blazingtext',
    hyperParameters,
    inputDataConfig: [{ channelName: 'train', uri: corpus }],
    outputPath: `file://${join(work, 'output')}`,
    resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 1 },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
  };
}

/** The experiment as the demo and the README's compose path run it; runs here change its ranges, budget and data. */
const exampleTuningJob = JSON.parse(readFileSync(join(root, 'examples/word2vec-tuning.json'), 'utf8')) as {
  parameterRanges: { integerParameterRanges: { name: string; minValue: number; maxValue: number }[] };
};

/** Integer ranges replacing the example's of the same name. */
type RangeChanges = Record<string, [number, number]>;

function tuningSpec(name: string, strategy: 'Bayesian' | 'Random', seed: number, trials: number, corpus: string, epochs: number, changes: RangeChanges = {}) {
  const { parameterRanges } = exampleTuningJob;
  return {
    ...exampleTuningJob,
    name,
    strategy,
    parameterRanges: {
      ...parameterRanges,
      integerParameterRanges: parameterRanges.integerParameterRanges.map((range) => {
        const changed = changes[range.name];
        return changed === undefined ? range : { name: range.name, minValue: changed[0], maxValue: changed[1] };
      }),
    },
    resourceLimits: { maxNumberOfTrainingJobs: trials, maxParallelTrainingJobs: parallel },
    randomSeed: seed,
    trainingJobDefinition: trainingJobDefinition(corpus, { epochs: String(epochs) }),
  };
}

function startFleet(): ChildProcess[] {
  const start = (command: string[]) => spawn(process.execPath, [bin, ...command], { env: fleetEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  return [
    start(['scheduler']),
    ...Array.from({ length: parallel }, (_, i) => start(['worker', '--pool', 'cpu', '--work-dir', join(work, `trials-${i}`)])),
  ];
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const fixed = (value: number | undefined, digits = 4) => (value === undefined ? '-' : value.toFixed(digits));

async function runTuningJob(tuning: TuningJobsClient, spec: ReturnType<typeof tuningSpec>): Promise<{ wallSeconds: number; rows: TrialAnalytics[] }> {
  await tuning.create(spec);
  let reported = -1;
  const done = await tuning.waitFor(spec.name, {
    pollMs: 2000,
    onUpdate: (job, rows) => {
      const ended = rows.filter((row) => ['Completed', 'Failed', 'Stopped'].includes(row.trainingJobStatus)).length;
      if (ended !== reported) console.log(`  ${spec.name}: ${ended}/${spec.resourceLimits.maxNumberOfTrainingJobs} trials done, best ${fixed(job.bestTrainingJob?.finalObjectiveValue)}`);
      reported = ended;
    },
  });
  if (done.status !== 'Completed') throw new Error(`tuning job ${spec.name} ended ${done.status}`);
  return { wallSeconds: seconds(done.creationTime, done.endTime!), rows: await tuning.analytics(spec.name) };
}

/** Trials in the order they were created (trial names carry their index), with the best objective so far. */
function bestSoFar(rows: TrialAnalytics[]): number[] {
  const ordered = [...rows].sort((a, b) => a.trainingJobName.localeCompare(b.trainingJobName));
  let best = -Infinity;
  return ordered.map((row) => (best = Math.max(best, row.finalObjectiveValue ?? -Infinity)));
}

async function text8(tuning: TuningJobsClient, training: TrainingJobsClient): Promise<string[]> {
  const corpus = corpusUri(args.corpus!);
  const epochs = Number(args.epochs);
  const trials = Number(args.trials);
  const report: string[] = [];
  console.log(`text8: defaults, then a Bayesian tuning job of ${trials} trials, ${epochs} epoch(s) each, on ${args.corpus}`);
  const defaults: { mode: string; meanRho: number; billableSeconds: number }[] = [];
  const started = Date.now();
  await Promise.all(
    ['batch_skipgram', 'cbow'].map(async (mode) => {
      const name = `defaults-${mode.replace('_', '-')}`;
      await training.submit({ name, ...trainingJobDefinition(corpus, { mode, epochs: String(epochs) }) });
      const job = await training.waitFor(name, { pollMs: 2000 });
      const meanRho = job.finalMetrics.find((m) => m.metricName === 'train:mean_rho')?.value;
      if (job.status !== 'Completed' || meanRho === undefined) throw new Error(`${name} ended ${job.status}: ${job.failureReason ?? 'no mean_rho'}`);
      defaults.push({ mode, meanRho, billableSeconds: job.billableSeconds });
    }),
  );
  const defaultsWall = (Date.now() - started) / 1000;
  const { wallSeconds, rows } = await runTuningJob(tuning, tuningSpec('text8-bayesian', 'Bayesian', 1, trials, corpus, epochs, TEXT8_RANGES));
  const bestDefault = Math.max(...defaults.map((d) => d.meanRho));
  const best = rows[0]!;
  const curve = bestSoFar(rows);
  report.push(
    `### ${trials}-trial Bayesian tuning job on ${args.corpus} (${epochs} epoch${epochs === 1 ? '' : 's'} per trial, ${parallel} at a time)`,
    '',
    '| trial | status | mode | learning_rate | window_size | vector_dim | min_count | negative_samples | mean_rho | billable s | cost $ |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const hp = row.hyperParameters;
      return `| ${row.trainingJobName} | ${row.trainingJobStatus} | ${hp.mode} | ${Number(hp.learning_rate).toPrecision(3)} | ${hp.window_size} | ${hp.vector_dim} | ${hp.min_count} | ${hp.negative_samples} | ${fixed(row.finalObjectiveValue)} | ${row.billableSeconds.toFixed(0)} | ${row.cost.toFixed(4)} |`;
    }),
    '',
    ...defaults.map((d) => `- BlazingText defaults, mode ${d.mode}, ${epochs} epoch(s): mean_rho ${fixed(d.meanRho)} (${d.billableSeconds.toFixed(0)} billable s)`),
    `- tuned best: ${fixed(best.finalObjectiveValue)} (${best.trainingJobName}), ${(best.finalObjectiveValue! - bestDefault >= 0 ? '+' : '') + (best.finalObjectiveValue! - bestDefault).toFixed(4)} over the better default; best after ${[...new Set([10, 20, trials])].filter((n) => n <= trials).map((n) => `${n} trials ${fixed(curve[n - 1])}`).join(', ')}`,
    `- wall time: tuning job ${(wallSeconds / 60).toFixed(1)} min (${(wallSeconds / trials).toFixed(0)} s per trial with ${parallel} at a time); both default jobs ${defaultsWall.toFixed(0)} s`,
    `- per trial: billable ${mean(rows.map((r) => r.billableSeconds)).toFixed(0)} s mean, cost $${mean(rows.map((r) => r.cost)).toFixed(4)} mean at ml.c5.xlarge prices; whole job $${rows.reduce((sum, r) => sum + r.cost, 0).toFixed(3)}`,
    `- trials by status: ${[...new Set(rows.map((r) => r.trainingJobStatus))].map((status) => `${status} ${rows.filter((r) => r.trainingJobStatus === status).length}`).join(', ')}`,
  );
  return report;
}

/** A word2vec tuning experiment: corpus, epochs per trial and the ranges that differ between corpora. */
interface Experiment {
  title: string;
  corpus: string;
  epochs: number;
  ranges: RangeChanges;
  trials: number;
}

// The demo's: the example's ranges (min_count scaled to the 500 k-word corpus from the experiment's [20, 50]).
const demoExperiment = (): Experiment => ({
  title: "the demo's experiment",
  corpus: args['compare-corpus']!,
  epochs: 5,
  ranges: {},
  trials: Number(args['compare-trials'] ?? 12),
});
// The experiment's min_count; window_size and negative_samples narrowed from [5, 30] and [5, 25] (see above).
const TEXT8_RANGES: RangeChanges = { window_size: [3, 10], min_count: [20, 50], negative_samples: [3, 10] };
const text8Experiment = (): Experiment => ({
  title: `${args.corpus} (${args.epochs} epoch(s) per trial, part 1's ranges)`,
  corpus: args.corpus!,
  epochs: Number(args.epochs),
  ranges: TEXT8_RANGES,
  trials: Number(args['compare-trials'] ?? args.trials),
});

async function compare(tuning: TuningJobsClient, experiment: Experiment, label: string): Promise<string[]> {
  const corpus = corpusUri(experiment.corpus);
  const { trials } = experiment;
  const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => i + 1);
  console.log(`${label}: Bayesian and Random, ${trials} trials each, seeds ${seeds.join(', ')}, on ${experiment.corpus}`);
  const curves: Record<string, number[][]> = { Bayesian: [], Random: [] };
  const walls: Record<string, number[]> = { Bayesian: [], Random: [] };
  for (const seed of seeds) {
    for (const strategy of ['Bayesian', 'Random'] as const) {
      const spec = tuningSpec(`${label}-${strategy.toLowerCase()}-${seed}`, strategy, seed, trials, corpus, experiment.epochs, experiment.ranges);
      const { wallSeconds, rows } = await runTuningJob(tuning, spec);
      curves[strategy]!.push(bestSoFar(rows));
      walls[strategy]!.push(wallSeconds);
    }
  }
  const checkpoints = [...new Set([4, 8, trials])].filter((n) => n <= trials);
  const report = [
    `### Bayesian against Random: ${experiment.title}, ${trials} trials each, seeds ${seeds.join(', ')}`,
    '',
    `| strategy | seed | ${checkpoints.map((n) => `best after ${n}`).join(' | ')} | wall min |`,
    `|---|---:|${checkpoints.map(() => '---:').join('|')}|---:|`,
  ];
  for (const strategy of ['Bayesian', 'Random'] as const) {
    curves[strategy]!.forEach((curve, i) => report.push(`| ${strategy} | ${seeds[i]} | ${checkpoints.map((n) => fixed(curve[n - 1])).join(' | ')} | ${(walls[strategy]![i]! / 60).toFixed(1)} |`));
    report.push(`| ${strategy} | mean | ${checkpoints.map((n) => fixed(mean(curves[strategy]!.map((c) => c[n - 1]!)))).join(' | ')} | ${(mean(walls[strategy]!) / 60).toFixed(1)} |`);
  }
  const final = (strategy: string) => mean(curves[strategy]!.map((c) => c[trials - 1]!));
  const wins = curves.Bayesian!.filter((curve, i) => curve[trials - 1]! > curves.Random![i]![trials - 1]!).length;
  report.push('', `- mean best after ${trials} trials: Bayesian ${fixed(final('Bayesian'))}, Random ${fixed(final('Random'))} (Bayesian - Random ${(final('Bayesian') - final('Random')).toFixed(4)}); Bayesian better in ${wins} of ${seeds.length} seeds`);
  return report;
}

async function main(): Promise<void> {
  const load = loadavg();
  const fleet = startFleet();
  const tuning = await TuningJobsClient.connect({ redisUrl, prefix });
  const training = await TrainingJobsClient.connect({ redisUrl, prefix });
  const report: string[] = [];
  try {
    if (parts.includes('text8')) report.push(...(await text8(tuning, training)), '');
    if (parts.includes('compare')) report.push(...(await compare(tuning, demoExperiment(), 'compare')), '');
    if (parts.includes('compare-text8')) report.push(...(await compare(tuning, text8Experiment(), 'compare-text8')), '');
  } finally {
    for (const child of fleet) child.kill('SIGTERM');
    await tuning.close();
    await training.close();
    const redis = new Redis(redisUrl);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\n${report.join('\n')}`);
  console.log(`load average (1/5/15 min): ${load.map((l) => l.toFixed(2)).join(' ')} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`);
}

await main();
