// Records fastText's test accuracy on the small labeled sets, the reference the classification quality test holds Blazefleet to.
//
//   npx tsx bench/fasttext-classify-reference.ts      (needs the `fasttext` command; writes test/fixtures/fasttext-classify-reference.json)
//
// fastText runs three seeds with 2 threads (it is not deterministic then, hence the mean). Accuracy is counted exactly
// from `fasttext predict` against the gold labels (hits / examples), and checked against the 3-digit P@1 of `fasttext test`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastTextVersion } from './measured-process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const datasets = {
  sst2: { train: '../shared/data/classify/sst2.train', test: '../shared/data/classify/sst2.test' },
  trec: { train: '../shared/data/classify/trec.train', test: '../shared/data/classify/trec.test' },
};
const common = ['-lr', '0.5', '-wordNgrams', '2', '-epoch', '5', '-dim', '100', '-minCount', '5', '-loss', 'softmax', '-bucket', '2000000', '-thread', '2', '-verbose', '0'];
const seeds = [1, 2, 3];

/** Hits / examples of the top-1 predictions (one output line per test line) against each line's __label__ tokens. */
function accuracyOf(predictions: string, testPath: string): number {
  const predicted = predictions.split('\n');
  const gold = readFileSync(testPath, 'utf8').split('\n').filter((line) => line.trim() !== '');
  let hits = 0;
  gold.forEach((line, i) => {
    const labels = line.split(/\s+/).filter((token) => token.startsWith('__label__'));
    if (labels.includes(predicted[i]!.trim())) hits++;
  });
  return hits / gold.length;
}

const work = await mkdtemp(join(tmpdir(), 'fasttext-classify-reference-'));
const results: Record<string, { command: string; accuracy: number[]; average: number }> = {};
try {
  for (const [name, set] of Object.entries(datasets)) {
    const train = resolve(root, set.train);
    const test = resolve(root, set.test);
    const accuracy: number[] = [];
    for (const seed of seeds) {
      const output = join(work, `${name}-${seed}`);
      execFileSync('fasttext', ['supervised', '-input', train, '-output', output, ...common, '-seed', String(seed)], { stdio: 'ignore' });
      const exact = accuracyOf(execFileSync('fasttext', ['predict', `${output}.bin`, test], { maxBuffer: 1 << 26 }).toString(), test);
      const printed = Number(/^P@1\t(\S+)$/m.exec(execFileSync('fasttext', ['test', `${output}.bin`, test]).toString())![1]);
      if (Math.abs(exact - printed) > 0.0005) throw new Error(`${name} seed ${seed}: accuracy ${exact} from predictions, but fasttext test prints P@1 ${printed}`);
      accuracy.push(exact);
      await rm(`${output}.bin`, { force: true });
      console.log(`${name} seed ${seed}: accuracy ${exact.toFixed(4)} (fasttext test P@1 ${printed})`);
    }
    results[name] = {
      command: `fasttext supervised -input ${name}.train ${common.join(' ')} -seed {${seeds.join(',')}}; accuracy of fasttext predict on ${name}.test`,
      accuracy,
      average: accuracy.reduce((a, b) => a + b, 0) / accuracy.length,
    };
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const fixture = resolve(root, 'test/fixtures/fasttext-classify-reference.json');
mkdirSync(dirname(fixture), { recursive: true });
writeFileSync(
  fixture,
  JSON.stringify(
    {
      producedBy: 'npx tsx bench/fasttext-classify-reference.ts',
      fastText: fastTextVersion(),
      datasets,
      scoring: 'top-1 accuracy on the test set (hits / examples) of fasttext predict, equal to P@1 of fasttext test',
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${fixture}`);
