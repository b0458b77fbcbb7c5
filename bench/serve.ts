// Inference server benchmark: `blazefleet serve` on loopback, driven by autocannon for a fixed time per scenario.
//
//   npm run bench:serve                                   # trains both models from the shared data, 10 s per scenario
//   npm run bench:serve -- --seconds 2                    # a quick look
//   npm run bench:serve -- --model out/vectors --classifier out/classifier --rows 500000
//
// Models: word vectors trained on the 1 M-word corpus slice (skipgram, BlazingText defaults) or the training output
// directory --model (it needs vectors.txt), a classifier trained on SST-2 (200,000 buckets) or --classifier, and
// random vectors of --rows x --dim (default 70,000 x 100) for the nearest-neighbour target, whose cost depends on the
// matrix's size only.
// Scenarios: single-word vector lookups (cycling through the 1,000 most frequent words), 100-word batches,
// single-sentence classification (SST-2 dev sentences), most_similar k=10. Each runs against a fresh server process;
// the load generator runs in this process, so on a 2-core machine the server and autocannon have one core each.
// Targets: >= 5,000 single-word lookups/s with p99 <= 10 ms; most_similar p99 <= 20 ms over 70,000 x 100. autocannon
// records latencies in whole milliseconds, truncated, so a p99 target counts as met only when the p99 shown is under it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { WordVectors, readWord2VecText, writeWord2VecBinary } from '@blazefleet/algorithms';
import { seededRandom } from '../packages/algorithms/src/testing/seeded-random.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/sdk/bin/blazefleet.js');
const corpus = resolve(root, '../shared/data/corpus/small.txt.gz');
const sst2Train = resolve(root, '../shared/data/classify/sst2.train');
const sst2Dev = resolve(root, '../shared/data/classify/sst2.dev');

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    model: { type: 'string' },
    classifier: { type: 'string' },
    rows: { type: 'string', default: '70000' },
    dim: { type: 'string', default: '100' },
    connections: { type: 'string', default: '10' },
  },
});
const seconds = Number(args.seconds);
const START_TIMEOUT_MS = 120_000;
const connections = Number(args.connections);
const rows = Number(args.rows);
const dim = Number(args.dim);

interface Target {
  minRequestsPerSecond?: number;
  maxP99Ms?: number;
}

interface Scenario {
  name: string;
  model: string;
  path: string;
  /** Concurrent connections: throughput scenarios keep the server busy; latency scenarios send one query at a time. */
  connections: number;
  /** The body of the i-th request. */
  body: (i: number) => string;
  target?: Target;
}

function run(argv: string[]): void {
  const result = spawnSync(process.execPath, [bin, ...argv], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`blazefleet ${argv.join(' ')} exited ${result.status}`);
}

/** Starts `blazefleet serve` on a free port; resolves with the port once the model is loaded. */
async function startServer(model: string): Promise<{ port: number; stop: () => Promise<void> }> {
  // At info the server logs its start and its model, not each request.
  const child = spawn(process.execPath, [bin, 'serve', '--model', model, '--port', '0', '--host', '127.0.0.1', '--log-level', 'info'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let port = 0;
  await new Promise<void>((done, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const record = JSON.parse(line) as { msg?: string; port?: number };
      if (record.msg === 'listening') port = record.port!;
      if (record.msg === 'model loaded') done();
    });
    void exited.then((code) => fail(new Error(`blazefleet serve --model ${model} exited ${code}`)));
    setTimeout(() => fail(new Error(`blazefleet serve --model ${model} did not load its model in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS).unref();
  }).catch((error: unknown) => {
    child.kill('SIGTERM');
    throw error;
  });
  return {
    port,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`blazefleet serve exited ${code} after SIGTERM`);
    },
  };
}

async function measure(scenario: Scenario): Promise<autocannon.Result> {
  const server = await startServer(scenario.model);
  try {
    let sent = 0;
    return await autocannon({
      url: `http://127.0.0.1:${server.port}`,
      connections: scenario.connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: scenario.path,
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: scenario.body(sent++) }),
        },
      ],
    });
  } finally {
    await server.stop();
  }
}

function verdict(result: autocannon.Result, target: Target | undefined): string {
  if (result.non2xx > 0 || result.errors > 0) return `MISSED (${result.non2xx} non-2xx answers, ${result.errors} errors)`;
  if (target === undefined) return '';
  const misses: string[] = [];
  if (target.minRequestsPerSecond !== undefined && result.requests.average < target.minRequestsPerSecond) misses.push(`< ${target.minRequestsPerSecond} req/s`);
  // autocannon records whole milliseconds (truncated): p99 n means under n + 1 ms, so only n < target proves it.
  if (target.maxP99Ms !== undefined && result.latency.p99 >= target.maxP99Ms) misses.push(`p99 not under ${target.maxP99Ms} ms`);
  const wanted = [
    target.minRequestsPerSecond === undefined ? undefined : `>= ${target.minRequestsPerSecond} req/s`,
    target.maxP99Ms === undefined ? undefined : `p99 <= ${target.maxP99Ms} ms`,
  ].filter(Boolean);
  return `${wanted.join(', ')}: ${misses.length === 0 ? 'met' : `MISSED (${misses.join(', ')})`}`;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'blazefleet-bench-serve-'));
  try {
    const vectorsModel = args.model ?? join(work, 'vectors');
    if (args.model === undefined) {
      console.log(`training word vectors on ${corpus} ...`);
      run(['train', '--mode', 'skipgram', '--train', corpus, '--output', vectorsModel]);
    }
    const classifierModel = args.classifier ?? join(work, 'classifier');
    if (args.classifier === undefined) {
      console.log(`training a classifier on ${sst2Train} ...`);
      run(['train', '--mode', 'supervised', '--train', sst2Train, '--output', classifierModel, '--buckets', '200000']);
    }
    console.log(`writing ${rows} x ${dim} random vectors ...`);
    const random = seededRandom(1);
    const randomWords = Array.from({ length: rows }, (_, i) => `w${i}`);
    const randomModel = join(work, 'random-vectors.bin');
    await writeWord2VecBinary(randomModel, new WordVectors(randomWords, dim, Float32Array.from({ length: rows * dim }, () => random() - 0.5)));

    const trained = await readWord2VecText(join(vectorsModel, 'vectors.txt'));
    const vocabulary = trained.words;
    const frequent = vocabulary.slice(0, 1000);
    const sentences = readFileSync(sst2Dev, 'utf8').trimEnd().split('\n').map((line) => line.replace(/^(__label__\S+\s+)+/, ''));
    const word = (i: number) => frequent[i % frequent.length]!;
    const scenarios: Scenario[] = [
      {
        name: 'vector lookup, 1 word',
        model: vectorsModel,
        path: '/invocations',
        connections,
        body: (i) => JSON.stringify({ instances: [word(i)] }),
        target: { minRequestsPerSecond: 5000, maxP99Ms: 10 },
      },
      {
        name: 'vector lookup, 100 words',
        model: vectorsModel,
        path: '/invocations',
        connections,
        body: (i) => JSON.stringify({ instances: Array.from({ length: 100 }, (_, j) => word(i * 100 + j)) }),
      },
      {
        name: 'classification, 1 sentence',
        model: classifierModel,
        path: '/invocations',
        connections,
        body: (i) => JSON.stringify({ instances: [sentences[i % sentences.length]], configuration: { k: 2 } }),
      },
      {
        name: `most_similar k=10, ${vocabulary.length} x ${trained.dim} (word vectors)`,
        model: vectorsModel,
        path: '/most_similar',
        connections: 1,
        body: (i) => JSON.stringify({ positive: [word(i)], k: 10 }),
      },
      {
        name: `most_similar k=10, ${rows} x ${dim} (random)`,
        model: randomModel,
        path: '/most_similar',
        connections: 1,
        body: (i) => JSON.stringify({ positive: [randomWords[(i * 7919) % rows]], k: 10 }),
        target: rows >= 70000 && dim >= 100 ? { maxP99Ms: 20 } : undefined,
      },
    ];

    console.log(`\n${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}; ${seconds} s per scenario\n`);
    console.log('latencies in whole milliseconds, as autocannon records them (truncated: 0 is under 1 ms)\n');
    const header = ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'target'];
    const widths = [44, 6, 9, 8, 8];
    const row = (cells: string[]) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join(' ');
    console.log(row(header));
    for (const scenario of scenarios) {
      const result = await measure(scenario);
      console.log(
        row([
          scenario.name,
          String(scenario.connections),
          result.requests.average.toFixed(0),
          String(result.latency.p50),
          String(result.latency.p99),
          verdict(result, scenario.target),
        ]),
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
