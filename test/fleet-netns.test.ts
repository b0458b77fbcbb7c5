import { execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleet, blazefleetBin, repoRoot, sharedData, writeTinyCorpus, type CliRun } from './blazefleet-cli.js';
import { FleetWorkerProcess, eventually } from './fleet-support.js';

// A 2-host batch_skipgram job through the fleet with each worker on a host of its own: a network namespace with its
// own address on a private subnet made here (veth pairs on a bridge), pinned to one core, reaching Redis over that
// subnet. It kills one host mid-training (the job is retried as a whole and completes once) and cuts the link of
// one host (the job fails fast, naming the host, instead of hanging). Needs root and iproute2.

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function hasIpNetns(): boolean {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = isRoot() && hasIpNetns();
const tag = randomInt(0x10000).toString(16).padStart(4, '0');
const subnet = `10.${200 + randomInt(50)}.${randomInt(256)}`;
const bridge = `bfbr${tag}`;
const hosts = [1, 2].map((i) => ({ ns: `bf${tag}h${i}`, outside: `bf${tag}v${i}`, inside: `bf${tag}n${i}`, ip: `${subnet}.${i + 1}`, core: i - 1 }));
const redisAddress = `${subnet}.1`;
const redisPort = 20_000 + randomInt(20_000);
const prefix = `bftest:netns:${process.pid}:${tag}`;
const dir = temporaryDirectory('blazefleet-netns-');
const workers: FleetWorkerProcess[] = [];
let redisServer: ReturnType<typeof spawn> | undefined;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function fleetEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL: `redis://${redisAddress}:${redisPort}`,
    BLAZEFLEET_PREFIX: prefix,
    BLAZEFLEET_LOCK_DURATION_MS: '4000',
    BLAZEFLEET_STALLED_INTERVAL_MS: '2000',
    BLAZEFLEET_RETRY_BACKOFF_MS: '500',
  };
}

function cli(args: string[]): CliRun {
  return blazefleet(args, { env: fleetEnv() });
}

function cliAsync(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [blazefleetBin, ...args], { cwd: repoRoot, env: fleetEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fleet worker inside host `index`'s namespace, on its core; it finds its address on its own (the veth's). */
function startWorker(index: number, name: string): FleetWorkerProcess {
  const host = hosts[index]!;
  const child = spawn('ip', ['netns', 'exec', host.ns, 'taskset', '-c', String(host.core), process.execPath, blazefleetBin, 'worker', '--pool', 'cpu', '--work-dir', join(dir, name)], {
    cwd: repoRoot,
    env: fleetEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker = new FleetWorkerProcess(child);
  workers.push(worker);
  return worker;
}

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis({ host: redisAddress, port: redisPort, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function describeJob(name: string): Record<string, any> | undefined {
  const run = cli(['jobs', 'describe', name, '--json']);
  return run.code === 0 ? (JSON.parse(run.stdout) as Record<string, any>) : undefined;
}

function writeSpec(name: string, corpus: string): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    name,
    algorithm: 'blazingtext',
    hyperParameters: { mode: 'batch_skipgram', epochs: '10', vector_dim: '64', min_count: '5', evaluation: 'false' },
    inputDataConfig: [{ channelName: 'train', uri: `file://${corpus}` }],
    outputPath: `file://${join(dir, 'output')}`,
    resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 2 },
    stoppingCondition: { maxRuntimeInSeconds: 900 },
    retryStrategy: { maximumRetryAttempts: name === 'partitioned' ? 1 : 2 },
  }));
  return path;
}

/** The worker process running host `host` (algo-1, algo-2) of the job's current attempt. */
function workerOf(job: Record<string, any>, host: string): FleetWorkerProcess {
  const id = (job.hosts as { host: string; worker: string }[]).find((h) => h.host === host)!.worker;
  const worker = workers.find((w) => w.child.exitCode === null && w.output.includes(id));
  if (worker === undefined) throw new Error(`no running worker ${id}`);
  return worker;
}

beforeAll(async () => {
  if (!available) return;
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${redisAddress}/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  for (const host of hosts) {
    ip('netns', 'add', host.ns);
    ip('link', 'add', host.outside, 'type', 'veth', 'peer', 'name', host.inside);
    ip('link', 'set', host.inside, 'netns', host.ns);
    ip('link', 'set', host.outside, 'master', bridge);
    ip('link', 'set', host.outside, 'up');
    ip('-n', host.ns, 'addr', 'add', `${host.ip}/24`, 'dev', host.inside);
    ip('-n', host.ns, 'link', 'set', host.inside, 'up');
    ip('-n', host.ns, 'link', 'set', 'lo', 'up');
  }
  redisServer = spawn('redis-server', ['--bind', redisAddress, '--port', String(redisPort), '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
  await eventually(redisAnswers, (up) => up, 10_000);
  startWorker(0, 'work-1');
  startWorker(1, 'work-2');
  await Promise.all(workers.map((worker) => worker.waitForLog(/worker started/)));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
  redisServer?.kill('SIGKILL');
  if (!available) return;
  for (const host of hosts) {
    for (const args of [['link', 'del', host.outside], ['netns', 'del', host.ns]]) {
      try {
        ip(...args);
      } catch {}
    }
  }
  try {
    ip('link', 'del', bridge);
  } catch {}
});

describe.skipIf(!available)('a job on 2 hosts with network stacks of their own', () => {
  const corpus = sharedData('corpus/small.txt.gz') ?? join(dir, 'corpus.txt');
  beforeAll(() => {
    if (corpus.startsWith(dir)) writeTinyCorpus(corpus, 200_000);
  });

  it('trains over the private subnet; a host killed mid-training makes the whole job retry once and complete', async () => {
    const waiting = cliAsync(['submit', writeSpec('killed-host', corpus), '--wait']);
    const running = await eventually(() => describeJob('killed-host'), (job) => (job?.progress?.fraction ?? 0) > 0.15, 180_000);
    expect(running!.hosts.map((h: { address: string }) => h.address.split(':')[0])).toEqual(expect.arrayContaining([hosts[0]!.ip, hosts[1]!.ip]));
    const victim = workerOf(running!, 'algo-2');
    const victimIp = (running!.hosts as { host: string; address: string }[]).find((h) => h.host === 'algo-2')!.address.split(':')[0]!;
    await victim.kill('SIGKILL');
    const replacement = startWorker(hosts.findIndex((h) => h.ip === victimIp), 'work-3');
    await replacement.waitForLog(/worker started/);
    const run = await waiting;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const job = describeJob('killed-host')!;
    expect(job).toMatchObject({ status: 'Completed', attempts: 2 });
    const restart = job.secondaryStatusTransitions.find((t: { status: string }) => t.status === 'Restarting');
    expect(restart.statusMessage).toMatch(new RegExp(`HostLost: .*lost host ${victimIp.replace(/\./g, '\\.')}:\\d+ \\(rank 1\\)`));
    expect(job.secondaryStatusTransitions.filter((t: { status: string }) => t.status === 'Completed')).toHaveLength(1);
    expect(cli(['logs', 'killed-host']).stdout).toMatch(/Running distributed CPU BlazingText-style training using batch_skipgram on 2 hosts/);
  }, 600_000);

  it('fails fast, naming the unreachable host, when the link between the hosts goes down', async () => {
    const waiting = cliAsync(['submit', writeSpec('partitioned', corpus), '--wait']);
    const running = await eventually(() => describeJob('partitioned'), (job) => (job?.progress?.fraction ?? 0) > 0.15, 180_000);
    const cutIp = (running!.hosts as { host: string; address: string }[]).find((h) => h.host === 'algo-2')!.address.split(':')[0]!;
    const cut = hosts.find((h) => h.ip === cutIp)!;
    ip('-n', cut.ns, 'link', 'set', cut.inside, 'down');
    try {
      const run = await waiting;
      expect(run.code).toBe(1);
      const job = describeJob('partitioned')!;
      expect(job.status).toBe('Failed');
      expect(job.failureReason).toMatch(new RegExp(`^HostLost: .*lost host ${cutIp.replace(/\./g, '\\.')}:\\d+ \\(rank 1\\): no heartbeat`));
    } finally {
      ip('-n', cut.ns, 'link', 'set', cut.inside, 'up');
      await delay(100);
    }
  }, 600_000);
});
