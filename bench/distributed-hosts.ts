// Hosts of a batch_skipgram job for bench/distributed.ts: each host a `blazefleet train` process pinned to one core,
// on loopback or in a network namespace of its own (a private subnet made here), and what their JSON logs say.
import { execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..');
const blazefleetBin = join(repoRoot, 'packages', 'sdk', 'bin', 'blazefleet.js');

/** Where one host runs: its address in --hosts (none for a job on one host), its core and its network namespace. */
export interface HostPlacement {
  address?: string;
  /** A core, or a taskset list of cores ("0,1") for a host of several threads. */
  core: number | string;
  netns?: string;
}

export interface JobResult {
  /** Rank 0's words of the whole job per training second. */
  wordsPerSecond: number;
  /** Absent when the job ran with evaluation=false. */
  meanRho?: number;
  vocabularySize: number;
  /** Epochs x corpus words (after min_count). */
  jobWords: number;
  /** Per rank (empty for one host): bytes sent to sync and its training seconds. */
  sync: { bytesSent: number; seconds: number }[];
}

type LogRecord = Record<string, unknown>;

/** The cores this process may run on (taskset's affinity list, e.g. "0-3,6"). */
export function allowedCores(): number[] {
  const list = /list:\s*(\S+)/.exec(execFileSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' }))?.[1];
  if (list === undefined) throw new Error('taskset -pc: expected "current affinity list: ..."');
  return list.split(',').flatMap((part) => {
    const [first, last = first] = part.split('-').map(Number);
    return Array.from({ length: last! - first! + 1 }, (_, i) => first! + i);
  });
}

/** Runs `train` on every host at once, each pinned to its core; the first host to fail stops the others. */
export async function trainOnHosts(label: string, hosts: readonly HostPlacement[], trainArgs: readonly string[], signal: AbortSignal): Promise<JobResult> {
  signal.throwIfAborted();
  const hostList = hosts.map((host) => host.address).join(',');
  const children = hosts.map((host, rank) => {
    const argv = ['taskset', '-c', String(host.core), process.execPath, blazefleetBin, 'train', ...trainArgs, '--log-format', 'json'];
    if (hosts.length > 1) argv.push('--hosts', hostList, '--rank', String(rank));
    if (host.netns !== undefined) argv.unshift('ip', 'netns', 'exec', host.netns);
    return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  });
  const stopAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  signal.addEventListener('abort', stopAll, { once: true });
  // Every host has exited before this returns or throws (so a network namespace can go); the error is the first host's.
  let firstFailure: Error | undefined;
  try {
    const outputs = await Promise.all(
      children.map(
        (child, rank) =>
          new Promise<string>((done) => {
            let stdout = '';
            let stderr = '';
            const fail = (reason: string) => {
              firstFailure ??= new Error(`${label}, rank ${rank} on core ${hosts[rank]!.core}: ${reason}`);
              stopAll();
              done('');
            };
            child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
            child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
            child.once('error', (error) => fail(`could not start (${error.message})`));
            child.once('close', (code, killedBy) => {
              if (code === 0) done(stdout);
              else fail(`${killedBy ? `killed by ${killedBy}` : `exit status ${code}`}\n${stderr}`);
            });
          }),
      ),
    );
    if (firstFailure !== undefined) throw firstFailure;
    return jobResult(label, outputs.map(jsonRecords));
  } finally {
    signal.removeEventListener('abort', stopAll);
  }
}

function jsonRecords(stdout: string): LogRecord[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

function jobResult(label: string, logs: LogRecord[][]): JobResult {
  const rank0 = logs[0]!;
  const finished = rank0.find((r) => r.msg === 'training finished');
  if (finished === undefined) throw new Error(`${label}: rank 0 logged no "training finished" record`);
  const rho = rank0.find((r) => r.metric === 'train:mean_rho' && r.final === true);
  const sync = logs.length === 1 ? [] : logs.map((records, rank) => {
    const record = records.find((r) => typeof r.syncBytesSent === 'number');
    if (record === undefined) throw new Error(`${label}: rank ${rank} logged no record with syncBytesSent`);
    return { bytesSent: record.syncBytesSent as number, seconds: record.seconds as number };
  });
  return {
    wordsPerSecond: finished.wordsPerSecond as number,
    ...(rho === undefined ? {} : { meanRho: rho.value as number }),
    vocabularySize: finished.vocabularySize as number,
    jobWords: (finished.wordsPerSecond as number) * (finished.seconds as number),
    sync,
  };
}

/** Why 2 hosts cannot get network namespaces of their own here, or undefined when they can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (ip netns add)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return 'needs iproute2 with "ip netns"';
  }
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * `count` network namespaces, each with a veth pair whose other end is on a bridge, on a private 10.x.y.0/24 subnet
 * (host i at 10.x.y.(i+2)); host i listens on `port` in its namespace and is pinned to cores[i]. remove() deletes all.
 */
export class PrivateSubnet {
  readonly hosts: HostPlacement[];
  readonly #bridge: string;
  readonly #namespaces: string[];
  #removed = false;

  private constructor(cores: readonly number[]) {
    const tag = randomInt(0x10000).toString(16).padStart(4, '0');
    const subnet = `10.${200 + randomInt(50)}.${randomInt(256)}`;
    const port = 20_000 + randomInt(20_000);
    this.#bridge = `bfb${tag}br`;
    this.#namespaces = cores.map((_, i) => `bfb${tag}h${i}`);
    this.hosts = cores.map((core, i) => ({ address: `${subnet}.${i + 2}:${port}`, core, netns: this.#namespaces[i]! }));
  }

  /** Makes the namespaces and links; on failure removes what it made and throws. */
  static create(cores: readonly number[]): PrivateSubnet {
    const subnet = new PrivateSubnet(cores);
    try {
      subnet.#create();
    } catch (error) {
      subnet.remove();
      throw error;
    }
    return subnet;
  }

  #create(): void {
    ip('link', 'add', this.#bridge, 'type', 'bridge');
    ip('link', 'set', this.#bridge, 'up');
    for (const host of this.hosts) {
      const ns = host.netns!;
      const outside = `${ns}o`;
      const inside = `${ns}i`;
      ip('netns', 'add', ns);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', ns);
      ip('link', 'set', outside, 'master', this.#bridge);
      ip('link', 'set', outside, 'up');
      ip('-n', ns, 'addr', 'add', `${host.address!.split(':')[0]}/24`, 'dev', inside);
      ip('-n', ns, 'link', 'set', inside, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  }

  /** Deletes the namespaces (their veth ends go with them) and the bridge; safe to call more than once. */
  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    for (const ns of this.#namespaces) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // never made
      }
    }
    try {
      ip('link', 'del', this.#bridge);
    } catch {
      // never made
    }
  }
}
