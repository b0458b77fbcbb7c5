// Word2vec on tensors against the CPU engine: the same job (corpus, hyperparameters, WS-353 evaluation) trained by
// the WebAssembly engine on all cores and by the tensor engine on the backend loadTensorBackend finds, in one run.
//
//   npx tsx bench/gpu-word2vec.ts                                    # skipgram, the 1 M-word corpus, 3 epochs, dim 50
//   npx tsx bench/gpu-word2vec.ts --epochs 5 --dim 100               # BlazingText's defaults (about 5 min on the pure-JS backend)
//   npx tsx bench/gpu-word2vec.ts --corpus PATH --words 300000 --mode cbow --batch 16384
//   npx tsx bench/gpu-word2vec.ts --mode cbow --epochs 5 --seeds 10      # quality: means over seeds 1 to 10
//   npx tsx bench/gpu-word2vec.ts --subwords                         # character n-grams (about 6 min on the pure-JS backend)
//
// The default takes about 2 minutes on the pure-JS backend (one core); its mean_rho spreads by about 0.03 over seeds
// (the CPU engine's: 0.325 to 0.349 on 1 thread, 0.387 to 0.418 on 2), so compare quality over several seeds. Window 5, negatives 5, min_count 5, sample 1e-4, learning rate 0.05 (--learning-rate) as bench/word2vec.ts. words/s is
// the trainer's (epochs x corpus words / training seconds: reading, evaluation and writing excluded).
// BLAZEFLEET_TFJS_BACKEND=cpu|tensorflow|tensorflow-gpu forces a backend.
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { parseWord2VecHyperparameters } from '@blazefleet/core';
import { runWord2VecJob, type Word2VecJobResult } from '@blazefleet/algorithms';
import { loadTensorBackend } from '../packages/worker-gpu/src/tensor-backend.js';
import { trainWord2VecOnTensors } from '../packages/worker-gpu/src/tensor-word2vec.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: resolve(root, '../shared/data/corpus/small.txt.gz') },
    // The first this many words of the corpus; 0: all of it.
    words: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '3' },
    dim: { type: 'string', default: '50' },
    mode: { type: 'string', default: 'skipgram' },
    'learning-rate': { type: 'string', default: '0.05' },
    batch: { type: 'string' },
    threads: { type: 'string', default: String(availableParallelism()) },
    // Every engine trains with seeds 1..N; the report gives means (and the spread of mean_rho).
    seeds: { type: 'string', default: '1' },
    // Character n-grams (BlazingText's subwords, min_char 3, max_char 6, 2 M buckets).
    subwords: { type: 'boolean', default: false },
  },
});

interface Run {
  engine: string;
  device: string;
  results: Word2VecJobResult[];
  peakTensorMiB?: number;
}

async function main() {
  const corpusPath = resolve(args.corpus!);
  if (!existsSync(corpusPath)) throw new Error(`corpus not found: ${corpusPath} (pass --corpus PATH)`);
  const words = Number(args.words);
  const epochs = Number(args.epochs);
  const threads = Number(args.threads);
  const seeds = Number(args.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds: expected a positive integer, got ${args.seeds}`);
  const batchExamples = args.batch === undefined ? undefined : Number(args.batch);
  const hyperparameters = parseWord2VecHyperparameters({
    mode: args.mode,
    epochs,
    vector_dim: Number(args.dim),
    window_size: 5,
    negative_samples: 5,
    min_count: 5,
    sampling_threshold: 1e-4,
    learning_rate: Number(args['learning-rate']),
    subwords: args.subwords,
  });

  const work = await mkdtemp(join(tmpdir(), 'blazefleet-gpu-bench-'));
  try {
    const trainPath = words > 0 ? join(work, 'corpus.txt') : corpusPath;
    if (words > 0) await writePrefix(corpusPath, trainPath, words);
    const backend = await loadTensorBackend((message) => console.log(`  ${message}`));
    console.log(
      `corpus: ${corpusPath}${words > 0 ? `, first ${words.toLocaleString('en-US')} words` : ''}; ${args.mode}, ${epochs} epoch${epochs === 1 ? '' : 's'}, ` +
        `dim ${args.dim}${args.subwords ? ', subwords' : ''}, window 5, negatives 5, learning rate ${args['learning-rate']}, seeds 1 to ${seeds}; CPU engine on ${threads} threads; tensor engine on ${backend.name} (${backend.device})\n`,
    );

    const job = (name: string, seed: number, trainer?: Parameters<typeof runWord2VecJob>[0]['trainer'], jobThreads = threads) =>
      runWord2VecJob({ trainPath, outputDir: join(work, `${name}-${seed}`), hyperparameters, threads: jobThreads, seed, ...(trainer ? { trainer } : {}) });
    const cpu: Run = { engine: 'cpu-wasm', device: `${threads} threads`, results: [] };
    // The tensor engine's updates are those of one stream of SGD, in batches: one thread is its closest reference.
    const cpuOneThread: Run | undefined = threads > 1 ? { engine: 'cpu-wasm', device: '1 thread', results: [] } : undefined;
    const tensor: Run = { engine: `tensor-${backend.name}`, device: backend.device, results: [], peakTensorMiB: 0 };
    for (let seed = 1; seed <= seeds; seed++) {
      console.log(`seed ${seed}: CPU engine (WebAssembly)...`);
      cpu.results.push(await job('cpu', seed));
      if (cpuOneThread) cpuOneThread.results.push(await job('cpu-1', seed, undefined, 1));
      console.log(`seed ${seed}: tensor engine (${backend.name})...`);
      const result = await job('tensor', seed, (options) =>
        trainWord2VecOnTensors(backend, {
          ...options,
          ...(batchExamples === undefined ? {} : { batchExamples }),
          onLog: (message, fields) => {
            console.log(`  ${message}`);
            if (typeof fields?.peakTensorBytes === 'number') tensor.peakTensorMiB = Math.max(tensor.peakTensorMiB!, fields.peakTensorBytes / 2 ** 20);
          },
        }),
      );
      tensor.results.push(result);
      console.log(`  mean_rho: CPU ${cpu.results.at(-1)!.eval?.mean_rho.toFixed(4)}${cpuOneThread ? ` (1 thread ${cpuOneThread.results.at(-1)!.eval?.mean_rho.toFixed(4)})` : ''}, tensors ${result.eval?.mean_rho.toFixed(4)}`);
    }
    const runs = [cpu, ...(cpuOneThread ? [cpuOneThread] : []), tensor];
    report(runs);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes the first `count` words of a (gzip) text file, line breaks kept, to `target`. */
async function writePrefix(source: string, target: string, count: number): Promise<void> {
  const input = source.endsWith('.gz') ? createReadStream(source).pipe(createGunzip()) : createReadStream(source);
  const out = createWriteStream(target);
  let words = 0;
  let inWord = false;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let end = chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      const separator = byte === 0x20 || byte === 0x0a || byte === 0x09 || byte === 0x0d;
      if (!separator && !inWord) {
        if (words === count) {
          end = i;
          break;
        }
        words++;
      }
      inWord = !separator;
    }
    out.write(chunk.subarray(0, end));
    if (end < chunk.length) break;
  }
  input.destroy();
  out.end('\n');
  await finished(out);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const deviation = (values: number[]) => (values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean(values)) ** 2, 0) / (values.length - 1)));
const rhos = (run: Run) => run.results.map((r) => r.eval?.mean_rho ?? Number.NaN);
const wordsPerSecond = (run: Run) => mean(run.results.map((r) => r.wordsPerSecond));

function report(runs: Run[]) {
  const lines = ['| engine | device | words/s | train s | mean_rho | sd (seeds) | min to max | peak tensor MiB |', '|---|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of runs) {
    const rho = rhos(r);
    lines.push(
      `| ${r.engine} | ${r.device} | ${Math.round(wordsPerSecond(r)).toLocaleString('en-US')} | ${mean(r.results.map((x) => x.seconds)).toFixed(1)} | ` +
        `${mean(rho).toFixed(4)} | ${deviation(rho).toFixed(4)} (${rho.length}) | ${Math.min(...rho).toFixed(4)} to ${Math.max(...rho).toFixed(4)} | ` +
        `${r.peakTensorMiB === undefined ? '-' : r.peakTensorMiB.toFixed(1)} |`,
    );
  }
  console.log('\n' + lines.join('\n'));
  const tensor = runs.at(-1)!;
  const last = tensor.results.at(-1)!;
  for (const cpu of runs.slice(0, -1)) {
    const delta = mean(rhos(tensor)) - mean(rhos(cpu));
    // The standard error of the difference of the two means, from their spreads over seeds.
    const error = Math.sqrt(deviation(rhos(tensor)) ** 2 / tensor.results.length + deviation(rhos(cpu)) ** 2 / cpu.results.length);
    console.log(
      `tensor / CPU engine on ${cpu.device}: ${(wordsPerSecond(tensor) / wordsPerSecond(cpu)).toFixed(3)}x words/s, ` +
        `mean_rho ${delta >= 0 ? '+' : ''}${delta.toFixed(4)}${runs[0]!.results.length > 1 ? ` (standard error ${error.toFixed(4)})` : ''}`,
    );
  }
  console.log(`(${last.vocabularySize} words, ${last.tokenCount.toLocaleString('en-US')} tokens)`);
}

await main();
