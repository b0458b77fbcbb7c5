// Word2vec benchmark: Blazefleet against the C++ fastText and gensim on the same corpus in the same run.
//
//   npm run bench                      # full corpus (16.9 M words), all modes
//   npm run bench -- --corpus small    # the 1 M-word slice, for a quick look
//   npm run bench -- --modes skipgram --epochs 1 --no-gensim --no-scaling
//
// Every tool gets the same hyperparameters (dim 100, window 5, negatives 5, min_count 5, sample 1e-4,
// learning rate 0.05, 2 threads) and every model is scored by the same WS-353 evaluator. words/s is
// epochs x corpus words / wall seconds of the whole command (reading, training, writing), peak RSS from
// the kernel's high-water mark of the process.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { evaluateWordSimilarityFiles, readCorpus, readWord2VecText, type EvalJson } from '@blazefleet/algorithms';
import { measuredRun } from './measured-process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpora: Record<string, string> = {
  full: resolve(root, '../shared/data/corpus/wiki2015-text8style.txt.gz'),
  small: resolve(root, '../shared/data/corpus/small.txt.gz'),
};
const SYSTEM_PYTHON = '/usr/bin/python3';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'full' },
    modes: { type: 'string', default: 'skipgram,cbow,batch_skipgram' },
    epochs: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    'no-gensim': { type: 'boolean', default: false },
    'no-scaling': { type: 'boolean', default: false },
  },
});
const corpusPath = corpora[args.corpus!] ?? resolve(args.corpus!);
const modes = args.modes!.split(',') as ('skipgram' | 'cbow' | 'batch_skipgram')[];
const epochs = Number(args.epochs);
const threads = Number(args.threads);
const hp = { dim: 100, window: 5, negative: 5, minCount: 5, sample: 1e-4, lr: 0.05 };

interface Run {
  mode: string;
  tool: string;
  threads: number;
  seconds: number;
  wordsPerSecond: number;
  peakRssMiB: number;
  eval: EvalJson;
}

const succeeds = (cmd: string, check: string[]) => spawnSync(cmd, check, { stdio: 'ignore' }).status === 0;
const found = (cmd: string) => spawnSync(cmd, [], { stdio: 'ignore' }).error === undefined;

async function main() {
  if (!existsSync(corpusPath)) throw new Error(`corpus not found: ${corpusPath}`);
  const haveFastText = found('fasttext');
  const haveGensim = !args['no-gensim'] && succeeds(SYSTEM_PYTHON, ['-c', 'import gensim']);
  if (!haveFastText) console.warn('fastText not found (apt-get install fasttext): ratios cannot be computed');
  if (!args['no-gensim'] && !haveGensim) console.warn('gensim not found (apt-get install python3-gensim): skipped');

  const work = await mkdtemp(join(tmpdir(), 'blazefleet-bench-'));
  const plain = join(work, 'corpus.txt');
  await pipeline(createReadStream(corpusPath), corpusPath.endsWith('.gz') ? createGunzip() : new (await import('node:stream')).PassThrough(), createWriteStream(plain));
  const words = (await readCorpus(plain, { minCount: 1 })).rawTokenCount;
  console.log(`corpus: ${args.corpus} (${(words / 1e6).toFixed(2)} M words), ${epochs} epochs, ${threads} threads\n`);

  const results: Run[] = [];
  const score = async (vectorsTxt: string) => evaluateWordSimilarityFiles(await readWord2VecText(vectorsTxt));
  const record = (mode: string, tool: string, t: number, r: { seconds: number; peakRssMiB: number }, ev: EvalJson) => {
    const run = { mode, tool, threads: t, ...r, wordsPerSecond: (epochs * words) / r.seconds, eval: ev };
    results.push(run);
    console.log(`  ${tool.padEnd(10)} ${mode.padEnd(15)} ${t}T ${r.seconds.toFixed(1).padStart(7)} s  mean_rho ${ev.mean_rho.toFixed(4)}`);
  };

  const ours = async (mode: string, t: number) => {
    const out = join(work, `ours-${mode}-${t}`);
    const r = await measuredRun(process.execPath, [
      join(root, 'packages/sdk/bin/blazefleet.js'), 'train', '--mode', mode, '--train', corpusPath, '--output', out,
      '--epochs', String(epochs), '--learning_rate', String(hp.lr), '--min_count', String(hp.minCount),
      '--sampling_threshold', String(hp.sample), '--vector_dim', String(hp.dim), '--window_size', String(hp.window),
      '--negative_samples', String(hp.negative), '--threads', String(t), '--log-format', 'json',
    ]);
    record(mode, 'blazefleet', t, r, JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as EvalJson);
  };
  const fastText = async (mode: 'skipgram' | 'cbow') => {
    const out = join(work, `fasttext-${mode}`);
    const r = await measuredRun('fasttext', [
      mode, '-input', plain, '-output', out, '-dim', String(hp.dim), '-ws', String(hp.window), '-neg', String(hp.negative),
      '-minCount', String(hp.minCount), '-t', String(hp.sample), '-lr', String(hp.lr), '-epoch', String(epochs),
      '-thread', String(threads), '-minn', '0', '-maxn', '0', '-verbose', '0',
    ]);
    record(mode, 'fastText', threads, r, await score(`${out}.vec`));
  };
  const gensim = async (mode: 'skipgram' | 'cbow') => {
    const out = join(work, `gensim-${mode}.txt`);
    const script = [
      'import sys',
      'from gensim.models import Word2Vec',
      'from gensim.models.word2vec import LineSentence',
      `m = Word2Vec(LineSentence(sys.argv[1]), vector_size=${hp.dim}, window=${hp.window}, min_count=${hp.minCount}, sample=${hp.sample}, negative=${hp.negative}, alpha=${hp.lr}, epochs=${epochs}, workers=${threads}, sg=${mode === 'skipgram' ? 1 : 0}, seed=1)`,
      'm.wv.save_word2vec_format(sys.argv[2])',
    ].join('\n');
    const r = await measuredRun(SYSTEM_PYTHON, ['-c', script, plain, out]);
    record(mode, 'gensim', threads, r, await score(out));
  };

  for (const mode of modes) {
    console.log(mode);
    const reference = mode === 'batch_skipgram' ? 'skipgram' : mode;
    if (haveFastText && !results.some((r) => r.tool === 'fastText' && r.mode === reference)) await fastText(reference);
    if (haveGensim && !results.some((r) => r.tool === 'gensim' && r.mode === reference)) await gensim(reference);
    await ours(mode, threads);
    if (!args['no-scaling'] && threads > 1 && mode !== 'cbow') await ours(mode, 1);
  }
  await rm(work, { recursive: true, force: true });
  report(results);
}

function report(runs: Run[]) {
  const fastTextOf = (mode: string) => runs.find((r) => r.tool === 'fastText' && r.mode === (mode === 'batch_skipgram' ? 'skipgram' : mode));
  const rho = (e: EvalJson, key: string) => ((e[key] as { spearmans_rho: number } | undefined)?.spearmans_rho ?? NaN).toFixed(4);
  const lines = [
    '| mode | tool | threads | words/s | wall s | peak RSS MiB | WS-ALL | WS-REL | WS-SIM | mean_rho | words/s vs fastText | mean_rho - fastText | RSS vs fastText |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) {
    const ft = fastTextOf(r.mode);
    lines.push(
      `| ${r.mode} | ${r.tool} | ${r.threads} | ${Math.round(r.wordsPerSecond).toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | ` +
        `${rho(r.eval, 'EN-WS-353-ALL.txt')} | ${rho(r.eval, 'EN-WS-353-REL.txt')} | ${rho(r.eval, 'EN-WS-353-SIM.txt')} | ${r.eval.mean_rho.toFixed(4)} | ` +
        (ft ? `${(r.wordsPerSecond / ft.wordsPerSecond).toFixed(2)}x | ${(r.eval.mean_rho - ft.eval.mean_rho).toFixed(4)} | ${(r.peakRssMiB / ft.peakRssMiB).toFixed(2)}x |` : '- | - | - |'),
    );
  }
  console.log('\n' + lines.join('\n'));

  const checks: string[] = [];
  const ours = (mode: string, t: number) => runs.find((r) => r.tool === 'blazefleet' && r.mode === mode && r.threads === t);
  for (const [mode, speed, floor] of [['skipgram', 1.0, 0.01], ['cbow', 1.0, 0.01], ['batch_skipgram', 2.5, 0.02]] as const) {
    const r = ours(mode, threads);
    const ft = fastTextOf(mode);
    if (!r || !ft) continue;
    const s = r.wordsPerSecond / ft.wordsPerSecond;
    const d = r.eval.mean_rho - ft.eval.mean_rho;
    checks.push(`${mode}: ${s.toFixed(2)}x fastText words/s (target >= ${speed}x) ${s >= speed ? 'met' : 'MISSED'}; mean_rho ${d >= 0 ? '+' : ''}${d.toFixed(4)} (floor -${floor}) ${d >= -floor ? 'met' : 'MISSED'}; RSS ${(r.peakRssMiB / ft.peakRssMiB).toFixed(2)}x (target <= 2x) ${r.peakRssMiB <= 2 * ft.peakRssMiB ? 'met' : 'MISSED'}`);
  }
  for (const mode of ['skipgram', 'batch_skipgram']) {
    const many = ours(mode, threads);
    const one = ours(mode, 1);
    if (many && one && threads > 1) {
      const s = many.wordsPerSecond / one.wordsPerSecond;
      checks.push(`${mode}: ${threads} threads = ${s.toFixed(2)}x the words/s of 1 thread (target >= 1.8x) ${s >= 1.8 ? 'met' : 'MISSED'}`);
    }
  }
  if (checks.length) console.log('\n' + checks.map((c) => `- ${c}`).join('\n'));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `word2vec-${args.corpus}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ corpus: args.corpus, epochs, threads, hyperparameters: hp, runs }, null, 2));
  console.log(`\nresults: ${file}`);
}

await main();
