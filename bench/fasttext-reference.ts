// Records fastText's WS-353 quality on the 1 M-word corpus, the reference the quality test holds Blazefleet to.
//
//   npx tsx bench/fasttext-reference.ts      (needs the `fasttext` command; writes test/fixtures/fasttext-small-reference.json)
//
// fastText runs three seeds per configuration with 2 threads (fastText 0.9.2 leaves most of the input matrix
// uninitialised with -thread 1); each model.bin is scored by Blazefleet's evaluator, with n-gram vectors for
// unknown words when the model has subwords, exactly as Blazefleet's own models are scored.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { evaluateWordSimilarityFiles, readFastTextModel, wordVectorsFromFastTextModel } from '@blazefleet/algorithms';
import { fastTextVersion } from './measured-process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = '../shared/data/corpus/small.txt.gz';
const configurations = [
  { name: 'skipgram', command: 'skipgram', args: ['-minn', '0', '-maxn', '0'] },
  { name: 'cbow', command: 'cbow', args: ['-minn', '0', '-maxn', '0'] },
  { name: 'skipgram-subwords', command: 'skipgram', args: ['-minn', '3', '-maxn', '6', '-bucket', '200000'] },
];
const common = ['-dim', '100', '-ws', '5', '-neg', '5', '-minCount', '5', '-t', '1e-4', '-lr', '0.05', '-epoch', '5', '-thread', '2', '-verbose', '0'];
const seeds = [1, 2, 3];

const work = await mkdtemp(join(tmpdir(), 'fasttext-reference-'));
const plain = join(work, 'corpus.txt');
await pipeline(createReadStream(resolve(root, corpus)), createGunzip(), createWriteStream(plain));

const results: Record<string, { command: string; meanRho: number[]; average: number }> = {};
for (const config of configurations) {
  const meanRho: number[] = [];
  for (const seed of seeds) {
    const output = join(work, `${config.name}-${seed}`);
    execFileSync('fasttext', [config.command, '-input', plain, '-output', output, ...common, ...config.args, '-seed', String(seed)], { stdio: 'ignore' });
    const evaluation = await evaluateWordSimilarityFiles(wordVectorsFromFastTextModel(await readFastTextModel(`${output}.bin`)));
    meanRho.push(evaluation.mean_rho);
    console.log(`${config.name} seed ${seed}: mean_rho ${evaluation.mean_rho.toFixed(4)}`);
  }
  results[config.name] = {
    command: `fasttext ${config.command} -input small.txt ${[...common, ...config.args].join(' ')} -seed {${seeds.join(',')}}`,
    meanRho,
    average: meanRho.reduce((a, b) => a + b, 0) / meanRho.length,
  };
}
await rm(work, { recursive: true, force: true });

const fixture = resolve(root, 'test/fixtures/fasttext-small-reference.json');
mkdirSync(dirname(fixture), { recursive: true });
writeFileSync(
  fixture,
  JSON.stringify(
    {
      producedBy: 'npx tsx bench/fasttext-reference.ts',
      fastText: fastTextVersion(),
      corpus,
      scoring: 'WS-353 ALL/REL/SIM mean Spearman rho by Blazefleet evaluateWordSimilarityFiles on model.bin',
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${fixture}`);
