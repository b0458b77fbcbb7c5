// Tuner benchmark: our Bayesian and Random strategies against Optuna's default TPE (TPESampler(seed)) on the same
// functions in the same run.
//
//   npm run bench:tuner                          # 4 functions, 20 seeds, 100 trials each
//   npm run bench:tuner -- --seeds 3 --budget 30 # a quick look
//
// Functions (all minimized): Branin (2-D), Hartmann-6, a 4-D mixed function (log-scaled real, integer, 3-way
// categorical, linear real; optimum 1 by construction) and Hartmann-6 with Gaussian noise (sd 0.1) whose draws depend
// only on the seed and the trial index, so all samplers see the same noise. bench/optuna-reference.py runs Optuna
// (with /usr/bin/python3) on its own copy of the functions; every value it reports is recomputed here.
//
// The best-found regret after t trials is r(t) = f(x_t) − f*, x_t being the trial with the best observed value among
// the first t, and f the noise-free function. "Trials to 1%" is the first t with r(t) <= 0.01·|f*|. Medians are over
// seeds. A 30-trial budget is read as the first 30 trials of each run: none of the samplers looks at the budget.
// ask() time is one more ask() after the last trial of each Bayesian run (100 observations at the full budget).
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CategoricalParameter, ContinuousParameter, IntegerParameter, Tuner, type ParameterRange, type Params } from '@blazefleet/tuner';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    budget: { type: 'string', default: '100' },
    functions: { type: 'string', default: 'branin,hartmann6,mixed4,hartmann6-noisy' },
  },
});
const seedCount = Number(args.seeds);
const budget = Number(args.budget);
const functionNames = args.functions!.split(',');
const checkpoints = [15, 30, 100].filter((t) => t <= budget);
if (!checkpoints.includes(budget)) checkpoints.push(budget);

interface BenchFunction {
  ranges: Record<string, ParameterRange>;
  f: (p: Params) => number;
  optimum: number;
  noisy?: boolean;
}

const num = (p: Params, name: string): number => p[name] as number;
const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];
const HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const HARTMANN_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const MIXED_OFFSET: Record<string, number> = { relu: 0.3, tanh: 0, sigmoid: 0.6 };
const NOISE_SD = 0.1;

function branin(p: Params): number {
  const [x1, x2] = [num(p, 'x1'), num(p, 'x2')];
  const [b, c, t] = [5.1 / (4 * Math.PI ** 2), 5 / Math.PI, 1 / (8 * Math.PI)];
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

function hartmann6(p: Params): number {
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += HARTMANN_A[i]![j]! * (num(p, `x${j + 1}`) - HARTMANN_P[i]![j]!) ** 2;
    total += HARTMANN_ALPHA[i]! * Math.exp(-inner);
  }
  return -total;
}

function mixed4(p: Params): number {
  const a = Math.log10(num(p, 'lr')) + 2.5;
  const b = num(p, 'x') - 0.3;
  const k = (num(p, 'layers') - 7) / 8;
  return 1 + (a * a) / 4 + 0.5 * b * b + 0.2 * a * b + k * k + MIXED_OFFSET[p.activation as string]!;
}

const unitCube6 = Object.fromEntries(Array.from({ length: 6 }, (_, j) => [`x${j + 1}`, ContinuousParameter(0, 1)]));
const functions: Record<string, BenchFunction> = {
  branin: { ranges: { x1: ContinuousParameter(-5, 10), x2: ContinuousParameter(0, 15) }, f: branin, optimum: 0.397887357729738 },
  hartmann6: { ranges: unitCube6, f: hartmann6, optimum: -3.32236801141551 },
  mixed4: {
    ranges: {
      lr: ContinuousParameter(1e-5, 1, 'Logarithmic'),
      layers: IntegerParameter(1, 32),
      activation: CategoricalParameter(['relu', 'tanh', 'sigmoid']),
      x: ContinuousParameter(0, 1),
    },
    f: mixed4,
    optimum: 1,
  },
  'hartmann6-noisy': { ranges: unitCube6, f: hartmann6, optimum: -3.32236801141551, noisy: true },
};

/** The same 32-bit integer hash and Box–Muller draw as the Python side, so both see identical noise. */
function hash32(x: number): number {
  x >>>= 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function noise(seed: number, trial: number): number {
  const base = seed * 1000003 + 2 * trial;
  const u1 = (hash32(base) + 0.5) / 4294967296;
  const u2 = (hash32(base + 1) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function observe(fn: BenchFunction, params: Params, seed: number, trial: number): number {
  return fn.f(params) + (fn.noisy ? NOISE_SD * noise(seed, trial) : 0);
}

type Sampler = 'Bayesian' | 'TPE' | 'Random';
const samplers: Sampler[] = ['Bayesian', 'TPE', 'Random'];
/** regrets[function][sampler][seed][t − 1] = r(t). */
const regrets = new Map<string, Map<Sampler, number[][]>>();

function record(name: string, sampler: Sampler, trials: { params: Params; observed: number }[]): void {
  const fn = functions[name]!;
  let bestObserved = Infinity;
  let regret = Infinity;
  const curve = trials.map(({ params, observed }) => {
    if (observed < bestObserved) [bestObserved, regret] = [observed, fn.f(params) - fn.optimum];
    return regret;
  });
  const bySampler = regrets.get(name) ?? new Map<Sampler, number[][]>();
  regrets.set(name, bySampler);
  bySampler.set(sampler, [...(bySampler.get(sampler) ?? []), curve]);
}

function runOurs(name: string, strategy: 'Bayesian' | 'Random', seed: number): number | undefined {
  const fn = functions[name]!;
  const tuner = new Tuner({ parameterRanges: fn.ranges, objective: 'Minimize', strategy, maxTrials: budget + 1, seed });
  const trials: { params: Params; observed: number }[] = [];
  for (let t = 0; t < budget; t++) {
    const { trialId, params } = tuner.ask()!;
    const observed = observe(fn, params, seed, t);
    tuner.tell(trialId, observed);
    trials.push({ params, observed });
  }
  record(name, strategy, trials);
  if (strategy !== 'Bayesian') return undefined;
  const started = performance.now();
  tuner.ask();
  return performance.now() - started;
}

/** Runs Optuna in a child process while our samplers run here; resolves with its version once every study is in. */
function runOptuna(): { done: Promise<string> } {
  const child = spawn('/usr/bin/python3', [join(root, 'bench/optuna-reference.py'), '--seeds', String(seedCount), '--budget', String(budget), '--functions', functionNames.join(',')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim() !== ''));
  });
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const done = new Promise<string>((resolveDone, reject) => {
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`optuna-reference.py exited ${code}:\n${stderr}`));
      let version = 'unknown';
      for (const line of lines) {
        const message = JSON.parse(line) as { optuna?: string; function?: string; seed?: number; trials?: { params: Params; value: number }[] };
        if (message.optuna) version = message.optuna;
        if (!message.function) continue;
        const fn = functions[message.function]!;
        const trials = message.trials!.map(({ params, value }, t) => {
          const ours = observe(fn, params, message.seed!, t);
          if (Math.abs(ours - value) > 1e-9 * Math.max(1, Math.abs(value))) {
            throw new Error(`${message.function} seed ${message.seed} trial ${t}: Optuna observed ${value}, this file computes ${ours}`);
          }
          return { params, observed: value };
        });
        record(message.function, 'TPE', trials);
      }
      resolveDone(version);
    });
  });
  return { done };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const fmt = (v: number): string => (v === 0 ? '0' : v.toExponential(2));

function medianCurve(curves: number[][]): number[] {
  return Array.from({ length: budget }, (_, t) => median(curves.map((c) => c[t]!)));
}

function trialsToOnePercent(name: string, curves: number[][]): { median: string; reached: number } {
  const threshold = 0.01 * Math.abs(functions[name]!.optimum);
  const hits = curves.map((c) => {
    const t = c.findIndex((r) => r <= threshold);
    return t < 0 ? Infinity : t + 1;
  });
  const m = median(hits);
  return { median: Number.isFinite(m) ? String(Math.ceil(m)) : `>${budget}`, reached: hits.filter(Number.isFinite).length };
}

const loadAtStart = loadavg()[0]!;
const optuna = runOptuna();
const askMs: number[] = [];
const started = performance.now();
for (const name of functionNames) {
  if (!functions[name]) throw new Error(`unknown function ${name}; known: ${Object.keys(functions).join(', ')}`);
  for (let seed = 1; seed <= seedCount; seed++) {
    const ms = runOurs(name, 'Bayesian', seed);
    if (ms !== undefined) askMs.push(ms);
    runOurs(name, 'Random', seed);
  }
  console.error(`${name}: ours done after ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
const optunaVersion = await optuna.done;

console.log(`Tuner benchmark: ${functionNames.length} functions x ${seedCount} seeds x ${budget} trials; Optuna ${optunaVersion} TPESampler(seed); Node ${process.version}`);
console.log(`${cpus().length} CPUs, 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (timings grow with it)`);
console.log('r(t) = f(best observed of the first t trials) - f*; medians over seeds; to 1%: first t with r(t) <= 0.01|f*|\n');
const header = ['function', 'sampler', ...checkpoints.map((t) => `r@${t}`), 'to 1%', 'reached'];
const rows: string[][] = [];
for (const name of functionNames) {
  for (const sampler of samplers) {
    const curves = regrets.get(name)!.get(sampler)!;
    const curve = medianCurve(curves);
    const hit = trialsToOnePercent(name, curves);
    rows.push([sampler === 'Bayesian' ? name : '', sampler, ...checkpoints.map((t) => fmt(curve[t - 1]!)), hit.median, `${hit.reached}/${curves.length}`]);
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const row of [header, ...rows]) console.log(row.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));

console.log('\nTargets');
const verdict = (ok: boolean): string => (ok ? 'MET' : 'MISSED');
for (const name of ['branin', 'hartmann6'].filter((n) => functionNames.includes(n))) {
  const tpe = medianCurve(regrets.get(name)!.get('TPE')!)[budget - 1]!;
  const ours = medianCurve(regrets.get(name)!.get('Bayesian')!);
  const t = ours.findIndex((r) => r <= tpe) + 1;
  const ratio = t > 0 ? t / budget : Infinity;
  console.log(
    `  ${name}: TPE's median r@${budget} = ${fmt(tpe)}; Bayesian's median reaches it at trial ${t > 0 ? t : `>${budget}`}` +
      ` = ${Number.isFinite(ratio) ? ratio.toFixed(2) : '>1'}x the trials (target <= 0.8x): ${verdict(ratio <= 0.8)}`,
  );
}
const worse: string[] = [];
for (const name of functionNames) {
  const ours = medianCurve(regrets.get(name)!.get('Bayesian')!);
  const random = medianCurve(regrets.get(name)!.get('Random')!);
  for (const t of checkpoints) if (ours[t - 1]! > random[t - 1]!) worse.push(`${name} r@${t} ${fmt(ours[t - 1]!)} > ${fmt(random[t - 1]!)}`);
}
console.log(`  Bayesian never worse than Random (median r at ${checkpoints.join('/')}, every function): ${verdict(worse.length === 0)}${worse.length ? ` (${worse.join('; ')})` : ''}`);
const askMedian = median(askMs);
console.log(`  ask() with ${budget} observations: median ${askMedian.toFixed(1)} ms, p90 ${quantile(askMs, 0.9).toFixed(1)} ms, max ${Math.max(...askMs).toFixed(1)} ms over ${askMs.length} runs (target median < 50 ms): ${verdict(askMedian < 50)}`);
