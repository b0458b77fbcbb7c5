// Queue overhead of the fleet, on the real Redis: what the queue adds to a trial, apart from the trial itself.
//
//   npm run bench:queue                          # 1,000 no-op trials on two workers; 10,000 queued jobs for memory
//   npm run bench:queue -- --trials 200 --queued 2000
//
// 1. Dispatch: trials are submitted one at a time while both workers are idle; dispatch latency is the time from the
//    submit call to the worker's start of the attempt (the Starting transition), both stamped on this machine.
// 2. Throughput: all trials submitted at once to two workers; trials/s from the first submit to the last completion.
//    Each trial is a real attempt of a no-op command (`true`): trial directory, supervised child process, log, metrics
//    and artifacts written to a file:// output, so trials/s is the fleet's per-trial cost, not the queue's alone.
// 3. Memory: jobs queued with no worker running; Redis used_memory before and after, per job (record + BullMQ job).
// The workers are `blazefleet worker` processes, as in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { deleteKeysUnder } from '../packages/queue/src/testing/test-fleet.js';
import { TrainingJobsClient } from '../packages/sdk/src/training-jobs-client.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/sdk/bin/blazefleet.js');
const { values: args } = parseArgs({
  options: { trials: { type: 'string', default: '1000' }, dispatch: { type: 'string', default: '200' }, queued: { type: 'string', default: '10000' } },
});
const trials = Number(args.trials);
const dispatchTrials = Number(args.dispatch);
const queuedJobs = Number(args.queued);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bfbench:queue:${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'blazefleet-bench-queue-'));

function spec(name: string) {
  return {
    name,
    algorithm: { command: ['true'], metricDefinitions: [] },
    hyperParameters: {},
    inputDataConfig: [],
    outputPath: `file://${join(work, 'output')}`,
    resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 1 },
    stoppingCondition: { maxRuntimeInSeconds: 600 },
  };
}

function startWorker(index: number): ChildProcess {
  const child = spawn(process.execPath, [bin, 'worker', '--pool', 'cpu', '--work-dir', join(work, `trials-${index}`)], {
    env: { ...process.env, REDIS_URL: redisUrl, BLAZEFLEET_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return child;
}

async function started(child: ChildProcess): Promise<void> {
  await new Promise<void>((done) => {
    let output = '';
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('worker started')) done();
    });
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};


async function main() {
  const redis = new Redis(redisUrl);
  const client = await TrainingJobsClient.connect({ redisUrl, prefix });
  const workers = [startWorker(0), startWorker(1)];
  try {
    await Promise.all(workers.map(started));

    // 1. Dispatch latency with idle workers.
    const latencies: number[] = [];
    for (let i = 0; i < dispatchTrials; i++) {
      const name = `dispatch-${i}`;
      const submitted = Date.now();
      await client.submit(spec(name));
      const job = await client.waitFor(name, { pollMs: 5 });
      const starting = job.secondaryStatusTransitions.find((t) => t.status === 'Starting');
      if (job.status !== 'Completed' || starting === undefined) throw new Error(`${name}: ${job.status} ${job.failureReason ?? ''}`);
      latencies.push(Date.parse(starting.startTime) - submitted);
    }

    // 2. Throughput with all trials queued at once.
    const names = Array.from({ length: trials }, (_, i) => `burst-${i}`);
    const burstStart = performance.now();
    for (const name of names) await client.submit(spec(name));
    for (const name of names) {
      const job = await client.waitFor(name, { pollMs: 50 });
      if (job.status !== 'Completed') throw new Error(`${name}: ${job.status} ${job.failureReason ?? ''}`);
    }
    const burstSeconds = (performance.now() - burstStart) / 1000;
    await Promise.all(workers.map((w) => new Promise((done) => (w.once('exit', done), w.kill('SIGTERM')))));

    // 3. Memory per queued job, no worker running.
    await deleteKeysUnder(redis, prefix);
    const memory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const before = await memory();
    for (let i = 0; i < queuedJobs; i++) await client.submit(spec(`queued-${i}`));
    const after = await memory();
    const perJob = (after - before) / queuedJobs;

    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const throughput = trials / burstSeconds;
    console.log(`dispatch (submit to attempt start, idle workers, ${dispatchTrials} trials): p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...latencies)} ms`);
    console.log(`throughput (${trials} no-op trials, 2 workers): ${throughput.toFixed(1)} trials/s (${burstSeconds.toFixed(1)} s)`);
    console.log(`memory (${queuedJobs} queued jobs): ${(perJob / 1024).toFixed(2)} KiB per job (used_memory ${before} -> ${after} bytes)`);
    console.log(`- p99 dispatch overhead ${p99} ms (target <= 20 ms) ${p99 <= 20 ? 'met' : 'MISSED'}`);
    console.log(`- memory per queued job ${(perJob / 1024).toFixed(2)} KiB (target <= 2 KB) ${perJob <= 2048 ? 'met' : 'MISSED'}`);
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await client.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
