// Word2vec on tensors against the CPU engine: the same job (corpus, hyperparameters, WS-353 evaluation) trained by
// the WebAssembly engine on all cores and by the tensor engine on the backend loadTensorBackend finds, in one run.
//
//   npx tsx bench/gpu-word2vec.ts                                    # skipgram, the 1 M-word corpus, 3 epochs, dim 50
//   npx tsx bench/gpu-word2vec.ts --epochs 5 --dim 100               # BlazingText's defaults (about 5 min on the pure-JS backend)
//   npx tsx bench/gpu-word2vec.ts --corpus PATH --words 300000 --mode cbow --batch 16384
//
// The default takes about 2 minutes on the pure-JS backend (one core); its mean_rho spreads by about 0.03 over seeds
// (the CPU engine's: 0.325 to 0.349 on 1 thread, 0.387 to 0.418 on 2). Window 5, negatives 5, min_count 5, sample 1e-4, learning rate 0.05 as bench/word2vec.ts. words/s is
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
    batch: { type: 'string' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});

interface Run {
  engine: string;
  device: string;
  result: Word2VecJobResult;
  peakTensorMiB?: number;
}

async function main() {
  const corpusPath = resolve(args.corpus!);
  if (!existsSync(corpusPath)) throw new Error(`corpus not found: ${corpusPath} (pass --corpus PATH)`);
  const words = Number(args.words);
  const epochs = Number(args.epochs);
  const threads = Number(args.threads);
  const batchExamples = args.batch === undefined ? undefined : Number(args.batch);
  const hyperparameters = parseWord2VecHyperparameters({
    mode: args.mode,
    epochs,
    vector_dim: Number(args.dim),
    window_size: 5,
    negative_samples: 5,
    min_count: 5,
    sampling_threshold: 1e-4,
    learning_rate: 0.05,
  });

  const work = await mkdtemp(join(tmpdir(), 'blazefleet-gpu-bench-'));
  try {
    const trainPath = words > 0 ? join(work, 'corpus.txt') : corpusPath;
    if (words > 0) await writePrefix(corpusPath, trainPath, words);
    const backend = await loadTensorBackend((message) => console.log(`  ${message}`));
    console.log(
      `corpus: ${corpusPath}${words > 0 ? `, first ${words.toLocaleString('en-US')} words` : ''}; ${args.mode}, ${epochs} epoch${epochs === 1 ? '' : 's'}, ` +
        `dim ${args.dim}, window 5, negatives 5, learning rate 0.05; CPU engine on ${threads} threads; tensor engine on ${backend.name} (${backend.device})\n`,
    );

    const runs: Run[] = [];
    const job = (name: string, trainer?: Parameters<typeof runWord2VecJob>[0]['trainer'], jobThreads = threads) =>
      runWord2VecJob({ trainPath, outputDir: join(work, name), hyperparameters, threads: jobThreads, seed: 1, ...(trainer ? { trainer } : {}) });

    console.log('CPU engine (WebAssembly)...');
    runs.push({ engine: 'cpu-wasm', device: `${threads} threads`, result: await job('cpu') });
    // The tensor engine's updates are those of one stream of SGD, in batches: one thread is its closest reference.
    if (threads > 1) runs.push({ engine: 'cpu-wasm', device: '1 thread', result: await job('cpu-1', undefined, 1) });
    console.log(`tensor engine (${backend.name})...`);
    let peakTensorBytes = 0;
    const tensorResult = await job('tensor', (options) =>
      trainWord2VecOnTensors(backend, {
        ...options,
        ...(batchExamples === undefined ? {} : { batchExamples }),
        onLog: (message, fields) => {
          console.log(`  ${message}`);
          if (typeof fields?.peakTensorBytes === 'number') peakTensorBytes = fields.peakTensorBytes;
        },
      }),
    );
    runs.push({ engine: `tensor-${backend.name}`, device: backend.device, result: tensorResult, peakTensorMiB: peakTensorBytes / 2 ** 20 });
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

function report(runs: Run[]) {
  const lines = ['| engine | device | words/s | train s | mean_rho | peak tensor MiB |', '|---|---|---:|---:|---:|---:|'];
  for (const r of runs) {
    lines.push(
      `| ${r.engine} | ${r.device} | ${Math.round(r.result.wordsPerSecond).toLocaleString('en-US')} | ${r.result.seconds.toFixed(1)} | ` +
        `${r.result.eval?.mean_rho.toFixed(4) ?? '-'} | ${r.peakTensorMiB === undefined ? '-' : r.peakTensorMiB.toFixed(1)} |`,
    );
  }
  console.log('\n' + lines.join('\n'));
  const cpu = runs[0]!;
  const tensor = runs.at(-1)!;
  const rhoDelta = (tensor.result.eval?.mean_rho ?? NaN) - (cpu.result.eval?.mean_rho ?? NaN);
  console.log(
    `\ntensor / CPU engine on ${cpu.device}: ${(tensor.result.wordsPerSecond / cpu.result.wordsPerSecond).toFixed(3)}x words/s, ` +
      `mean_rho ${rhoDelta >= 0 ? '+' : ''}${rhoDelta.toFixed(4)} (${tensor.result.vocabularySize} words, ${tensor.result.tokenCount.toLocaleString('en-US')} tokens)`,
  );
  const oneThread = runs.find((r) => r.device === '1 thread');
  if (oneThread) {
    const delta = (tensor.result.eval?.mean_rho ?? NaN) - (oneThread.result.eval?.mean_rho ?? NaN);
    console.log(`tensor / CPU engine on 1 thread: ${(tensor.result.wordsPerSecond / oneThread.result.wordsPerSecond).toFixed(3)}x words/s, mean_rho ${delta >= 0 ? '+' : ''}${delta.toFixed(4)}`);
  }
}

await main();
