// Distributed batch_skipgram in one run on one corpus, 1 thread per host, each host a process pinned to a core of its
// own (taskset): 1 host; 1 host with 2 threads on both cores (what the cores give one process: the ceiling of 2 hosts
// here); 2 hosts over loopback; 2 hosts in network namespaces of their own, linked by a bridge on a
// private subnet made here (root and iproute2 only, else skipped with the reason); then the sync traffic against
// vector_dim and vocabulary size, and a projection to more hosts.
//   npm run bench:distributed                                              # the 1 M-word small.txt.gz
//   npm run bench:distributed -- --corpus ../shared/data/corpus/wiki2015-text8style.txt.gz   # 16.9 M words
//   npm run bench:distributed -- --epochs 1 --no-traffic                   # a quick look
//   npm run bench:distributed -- --seeds 3 ...   # also seeds 2 and 3 of 1 host and 2 hosts: mean_rho compared on means
// words/s: the job's training throughput (epochs x corpus words / training seconds of rank 0, which waits for the
// others at every sync); sync MB/s: bytes a host sent for averaging / its training seconds (MB = 2^20 bytes); B/word:
// bytes a host sent per word it trained (each of N hosts trains 1/N of the job's words).
// Traffic sweep: 2 hosts on loopback, small.txt.gz, 1 epoch, no evaluation, vector_dim x min_count.
// Projection "on paper" for N hosts, assuming: every host computes at the measured words/s of 1 host; a host syncs
// every DEFAULT_SYNC_POSITIONS positions it trains (taken as words) and the payload per word trained is the one measured
// on 2 hosts (where the ring all-reduce sends 1x the payload), so each host sends 2(N-1)/N x that payload per sync;
// the link's full bandwidth carries it, with no latency, no overlap of sending and computing, and no CPU cost of
// summing. On a small corpus more hosts make fewer parts per epoch, so relatively more whole-model syncs (at epoch
// ends) than measured: there the projection is optimistic.
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SYNC_POSITIONS, loopbackHosts } from '@blazefleet/algorithms';
import { PrivateSubnet, allowedCores, netnsUnavailableReason, trainOnHosts, type HostPlacement, type JobResult } from './distributed-hosts.js';

const TARGET_SPEEDUP = 1.85;
const MAX_RHO_DROP = 0.01;
const PROJECTED_HOSTS = [2, 4, 8, 16];
const LINK_GBITS = [1, 10, 25];
const TRAFFIC_VECTOR_DIMS = [50, 100, 200];
const TRAFFIC_MIN_COUNTS = [5, 20];
const MB = 2 ** 20;

const repoRoot = resolve(import.meta.dirname, '..');
const smallCorpus = join(repoRoot, '..', 'shared', 'data', 'corpus', 'small.txt.gz');
const { values } = parseArgs({
  options: { corpus: { type: 'string' }, epochs: { type: 'string' }, seeds: { type: 'string' }, 'no-traffic': { type: 'boolean', default: false } },
});
const corpus = resolve(values.corpus ?? smallCorpus);
if (values.epochs !== undefined && !/^[1-9]\d*$/.test(values.epochs)) throw new Error(`--epochs: expected a positive integer, got ${JSON.stringify(values.epochs)}`);
const epochsArgs = values.epochs === undefined ? [] : ['--epochs', values.epochs];
if (values.seeds !== undefined && !/^[1-9]\d*$/.test(values.seeds)) throw new Error(`--seeds: expected a positive integer, got ${JSON.stringify(values.seeds)}`);
const seeds = Number(values.seeds ?? '1');
const cores = allowedCores();
if (cores.length < 2) throw new Error(`2 hosts need 2 cores to pin, this process may run on ${cores.join(',')} only`);
const [core0, core1] = cores as [number, number];
const work = mkdtempSync(join(tmpdir(), 'blazefleet-bench-distributed-'));

function trainArgs(output: string, train: string, extra: readonly string[], threads = 1): string[] {
  return ['--mode', 'batch_skipgram', '--threads', String(threads), '--train', train, '--output', join(work, output), ...extra];
}

/** Bytes a host sent per word it trained, averaged over the hosts. */
function bytesPerHostWord(job: JobResult): number {
  const meanBytesSent = job.sync.reduce((sum, host) => sum + host.bytesSent, 0) / job.sync.length;
  return meanBytesSent / (job.jobWords / job.sync.length);
}

function syncMBPerSecond(job: JobResult): string {
  return job.sync.map((host) => (host.bytesSent / MB / host.seconds).toFixed(1)).join(' / ');
}

function describeRun(label: string, job: JobResult, one?: JobResult): string {
  const rho = job.meanRho === undefined ? 'no mean_rho' : `mean_rho ${job.meanRho.toFixed(4)}`;
  const head = `${label.padEnd(18)}: ${Math.round(job.wordsPerSecond).toLocaleString('en-US')} words/s`;
  if (one === undefined) return `${head}, ${rho}`;
  return `${head} (${(job.wordsPerSecond / one.wordsPerSecond).toFixed(2)}x), ${rho}, sync sent per host ${syncMBPerSecond(job)} MB/s, ${Math.round(bytesPerHostWord(job))} B/word`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => cell.padStart(widths[column]!)).join('  ')).join('\n');
}

async function trafficSweep(signal: AbortSignal): Promise<string> {
  const rows: string[][] = [];
  for (const dim of TRAFFIC_VECTOR_DIMS) {
    for (const minCount of TRAFFIC_MIN_COUNTS) {
      const hosts = (await loopbackHosts(2)).map((address, i): HostPlacement => ({ address, core: cores[i]! }));
      const extra = ['--epochs', '1', '--vector_dim', String(dim), '--min_count', String(minCount), '--evaluation', 'false'];
      const job = await trainOnHosts(`traffic, vector_dim ${dim}, min_count ${minCount}`, hosts, trainArgs(`traffic-${dim}-${minCount}`, smallCorpus, extra), signal);
      rows.push([
        String(dim),
        String(minCount),
        String(job.vocabularySize),
        ((2 * job.vocabularySize * dim * 4) / MB).toFixed(1),
        syncMBPerSecond(job),
        Math.round(bytesPerHostWord(job)).toString(),
      ]);
    }
  }
  return table(['vector_dim', 'min_count', 'vocabulary', 'model MB', 'sent MB/s per host', 'sent B/word'], rows);
}

function projection(one: JobResult, two: JobResult): string {
  const payloadPerWord = bytesPerHostWord(two); // 2(N-1)/N = 1 at N = 2
  const computeSeconds = DEFAULT_SYNC_POSITIONS / one.wordsPerSecond;
  const rows: string[][] = [];
  for (const hosts of PROJECTED_HOSTS) {
    for (const gbit of LINK_GBITS) {
      const sendSeconds = ((2 * (hosts - 1)) / hosts) * payloadPerWord * DEFAULT_SYNC_POSITIONS * 8 / (gbit * 1e9);
      const speedup = (hosts * computeSeconds) / (computeSeconds + sendSeconds);
      rows.push([
        String(hosts),
        String(gbit),
        (computeSeconds * 1000).toFixed(1),
        (sendSeconds * 1000).toFixed(1),
        `${speedup.toFixed(2)}x`,
        Math.round(speedup * one.wordsPerSecond).toLocaleString('en-US'),
      ]);
    }
  }
  return table(['hosts', 'link Gbit/s', 'compute ms/sync', 'send ms/sync', 'speedup', 'words/s'], rows);
}

const mean = (numbers: readonly number[]) => numbers.reduce((sum, x) => sum + x, 0) / numbers.length;

/** mean_rho of 1 host and of 2 hosts (loopback: the same code as on separate hosts) for seeds 2..N, after seed 1's runs. */
async function moreSeeds(one: JobResult, two: JobResult, signal: AbortSignal): Promise<{ one: number[]; two: number[] }> {
  const rho = { one: [one.meanRho!], two: [two.meanRho!] };
  for (let seed = 2; seed <= seeds; seed++) {
    const seedArgs = [...epochsArgs, '--seed', String(seed)];
    const single = await trainOnHosts(`1 host, seed ${seed}`, [{ core: core0 }], trainArgs(`seed-${seed}-1`, corpus, seedArgs), signal);
    const pair = await trainOnHosts(
      `2 hosts, seed ${seed}`,
      (await loopbackHosts(2)).map((address, i): HostPlacement => ({ address, core: cores[i]! })),
      trainArgs(`seed-${seed}-2`, corpus, seedArgs),
      signal,
    );
    rho.one.push(single.meanRho!);
    rho.two.push(pair.meanRho!);
    console.log(`seed ${seed}: 1 host mean_rho ${single.meanRho!.toFixed(4)}, 2 hosts (loopback) ${pair.meanRho!.toFixed(4)}`);
  }
  return rho;
}

function targetLines(label: string, one: JobResult, two: JobResult, rho: { one: number[]; two: number[] }): string[] {
  const speedup = two.wordsPerSecond / one.wordsPerSecond;
  const rhoDrop = mean(rho.one) - mean(rho.two);
  const over = rho.one.length === 1 ? '' : ` (means over ${rho.one.length} seeds: 1 host ${mean(rho.one).toFixed(4)}, 2 hosts ${mean(rho.two).toFixed(4)})`;
  return [
    `${label}: speedup ${speedup.toFixed(2)}x (target >= ${TARGET_SPEEDUP}x): ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'}`,
    `${label}: mean_rho change ${(-rhoDrop).toFixed(4)}${over} (target >= -${MAX_RHO_DROP}): ${rhoDrop <= MAX_RHO_DROP ? 'met' : 'NOT met'}`,
  ];
}

async function main(signal: AbortSignal, keepSubnet: (subnet: PrivateSubnet | undefined) => void): Promise<void> {
  console.log(`corpus: ${corpus}${values.epochs === undefined ? '' : `, ${values.epochs} epoch${values.epochs === '1' ? '' : 's'}`}; cores ${core0} and ${core1}, 1 thread per host`);
  const one = await trainOnHosts('1 host', [{ core: core0 }], trainArgs('hosts-1', corpus, epochsArgs), signal);
  console.log(`${describeRun('1 host', one)} (${one.vocabularySize} words in the vocabulary)`);
  // What the two cores give one process: the ceiling for 2 hosts of 1 thread each on this machine.
  const twoThreads = await trainOnHosts('1 host, 2 threads', [{ core: `${core0},${core1}` }], trainArgs('threads-2', corpus, epochsArgs, 2), signal);
  console.log(`${describeRun('1 host, 2 threads', twoThreads)} (${(twoThreads.wordsPerSecond / one.wordsPerSecond).toFixed(2)}x of 1 thread: what these 2 cores give one process)`);
  const loopback = await trainOnHosts(
    '2 hosts, loopback',
    (await loopbackHosts(2)).map((address, i): HostPlacement => ({ address, core: cores[i]! })),
    trainArgs('hosts-2-loopback', corpus, epochsArgs),
    signal,
  );
  console.log(describeRun('2 hosts, loopback', loopback, one));

  let netns: JobResult | undefined;
  const unavailable = netnsUnavailableReason();
  if (unavailable !== undefined) {
    console.log(`2 hosts, netns    : skipped, ${unavailable}`);
  } else {
    let subnet: PrivateSubnet | undefined;
    try {
      subnet = PrivateSubnet.create([core0, core1]);
    } catch (error) {
      console.log(`2 hosts, netns    : skipped, could not make the namespaces (${(error as Error).message.trim()})`);
    }
    if (subnet !== undefined) {
      keepSubnet(subnet);
      try {
        netns = await trainOnHosts('2 hosts, netns', subnet.hosts, trainArgs('hosts-2-netns', corpus, epochsArgs), signal);
      } finally {
        subnet.remove();
      }
      console.log(`${describeRun('2 hosts, netns', netns, one)} (${subnet.hosts.map((host) => host.address).join(', ')})`);
    }
  }

  if (values['no-traffic']) {
    console.log('\nSync traffic sweep: skipped (--no-traffic)');
  } else {
    console.log(`\nSync traffic, 2 hosts on loopback, ${basename(smallCorpus)}, 1 epoch (model MB: input and output vectors):`);
    console.log(await trafficSweep(signal));
  }

  const two = netns ?? loopback;
  const twoLabel = netns ? '2 hosts, netns' : '2 hosts, loopback';
  console.log(
    `\nProjection on paper (assumptions at the top of bench/distributed.ts): 1 host ${Math.round(one.wordsPerSecond).toLocaleString('en-US')} words/s, ` +
      `${Math.round(bytesPerHostWord(two))} B/word sent per host on ${twoLabel} (measured speedup ${(two.wordsPerSecond / one.wordsPerSecond).toFixed(2)}x), ` +
      `a sync every ${DEFAULT_SYNC_POSITIONS.toLocaleString('en-US')} words per host:`,
  );
  console.log(projection(one, two));

  const rho = seeds > 1 ? await moreSeeds(one, two, signal) : { one: [one.meanRho!], two: [two.meanRho!] };
  console.log('');
  for (const line of targetLines(twoLabel, one, two, rho)) console.log(line);
  console.log(`${twoLabel}: ${(two.wordsPerSecond / twoThreads.wordsPerSecond).toFixed(2)}x the words/s of 1 host with 2 threads on the same 2 cores`);
}

const interrupted = new AbortController();
const interrupt = () => interrupted.abort();
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
let subnet: PrivateSubnet | undefined;
try {
  await main(interrupted.signal, (made) => (subnet = made));
} catch (error) {
  if (!interrupted.signal.aborted) throw error;
  console.error('interrupted: the hosts were stopped and what the bench made was removed');
  process.exitCode = 130;
} finally {
  subnet?.remove();
  rmSync(work, { recursive: true, force: true });
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
}
