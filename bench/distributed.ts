// Distributed batch_skipgram: 1 host against 2 local hosts (the --instance_count launcher), 1 thread per host, in the
// same run on the same corpus.
//   npm run bench:distributed                                              # the 1 M-word small.txt.gz
//   npm run bench:distributed -- --corpus ../shared/data/corpus/wiki2015-text8style.txt.gz   # 16.9 M words
// words/s: the job's training throughput (epochs x corpus words / training seconds of rank 0, which waits for the
// others at every sync); sync MB/s: bytes rank 0 sent for averaging / its training seconds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const TARGET_SPEEDUP = 1.85;
const MAX_RHO_DROP = 0.01;
const repoRoot = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { corpus: { type: 'string' } } });
const corpus = resolve(values.corpus ?? join(repoRoot, '..', 'shared', 'data', 'corpus', 'small.txt.gz'));
const work = mkdtempSync(join(tmpdir(), 'blazefleet-bench-distributed-'));

interface Run {
  wordsPerSecond: number;
  meanRho: number;
  syncMBPerSecond?: number;
}

function train(hosts: number): Run {
  const args = ['train', '--mode', 'batch_skipgram', '--threads', '1', '--train', corpus, '--output', join(work, `hosts-${hosts}`), '--log-format', 'json'];
  if (hosts > 1) args.push('--instance_count', String(hosts));
  const run = spawnSync(process.execPath, [join(repoRoot, 'packages', 'sdk', 'bin', 'blazefleet.js'), ...args], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`${hosts} host(s): exit ${run.status}\n${run.stderr}`);
  const records = run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const finished = records.find((r) => r.msg === 'training finished')!;
  const rho = records.find((r) => r.metric === 'train:mean_rho' && r.final === true)!;
  const sync = records.find((r) => typeof r.syncBytesSent === 'number');
  return {
    wordsPerSecond: finished.wordsPerSecond as number,
    meanRho: rho.value as number,
    ...(sync ? { syncMBPerSecond: (sync.syncBytesSent as number) / 2 ** 20 / (sync.seconds as number) } : {}),
  };
}

try {
  const one = train(1);
  const two = train(2);
  const speedup = two.wordsPerSecond / one.wordsPerSecond;
  const rhoDrop = one.meanRho - two.meanRho;
  console.log(`corpus: ${corpus}`);
  console.log(`1 host : ${Math.round(one.wordsPerSecond)} words/s, mean_rho ${one.meanRho.toFixed(4)}`);
  console.log(`2 hosts: ${Math.round(two.wordsPerSecond)} words/s, mean_rho ${two.meanRho.toFixed(4)}, sync ${two.syncMBPerSecond!.toFixed(1)} MB/s sent per host`);
  console.log(`speedup ${speedup.toFixed(2)}x (target >= ${TARGET_SPEEDUP}x): ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'}`);
  console.log(`mean_rho change ${(-rhoDrop).toFixed(4)} (target >= -${MAX_RHO_DROP}): ${rhoDrop <= MAX_RHO_DROP ? 'met' : 'NOT met'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
