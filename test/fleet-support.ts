import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, S3Client, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { startMotoServer, type MotoServer } from '../packages/artifact-store/src/testing/moto-server.js';
import { FleetKeys } from '../packages/queue/src/fleet-keys.js';
import { deleteKeysUnder } from '../packages/queue/src/testing/test-fleet.js';
import { TrainingQueues } from '../packages/queue/src/training-queues.js';
import { blazefleet, blazefleetBin, repoRoot, type CliRun } from './blazefleet-cli.js';

/**
 * A fleet for one test file: a real moto S3 server, a Redis key prefix of its own on the real Redis, workers started as
 * `blazefleet worker` processes, and the CLI run with the same environment.
 */
export class TestFleet {
  readonly prefix = `bftest:fleet:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly workers: FleetWorkerProcess[] = [];
  private constructor(
    readonly moto: MotoServer,
    readonly s3: S3Client,
    readonly redisUrl: string,
  ) {}

  static async start(): Promise<TestFleet> {
    const moto = await startMotoServer();
    const s3 = new S3Client({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials, forcePathStyle: true });
    return new TestFleet(moto, s3, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  }

  /** What the CLI and the workers run with: this fleet's Redis prefix and S3 server; short failure detection. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      REDIS_URL: this.redisUrl,
      BLAZEFLEET_PREFIX: this.prefix,
      AWS_ENDPOINT_URL_S3: this.moto.endpoint,
      AWS_REGION: this.moto.region,
      AWS_ACCESS_KEY_ID: this.moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.moto.credentials.secretAccessKey,
      BLAZEFLEET_LOCK_DURATION_MS: '4000',
      BLAZEFLEET_STALLED_INTERVAL_MS: '2000',
      BLAZEFLEET_RETRY_BACKOFF_MS: '500',
      ...extra,
    };
  }

  /** `jobs describe NAME --json`; throws when the job does not exist or the command fails. */
  describeJob(name: string): Record<string, any> {
    const run = this.cli(['jobs', 'describe', name, '--json']);
    if (run.code !== 0) throw new Error(`jobs describe ${name}: exit ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, any>;
  }

  /** The job's description once it exists (submitted by a command that is still running), else undefined. */
  jobIfSubmitted(name: string): Record<string, any> | undefined {
    const run = this.cli(['jobs', 'describe', name, '--json']);
    return run.code === 0 ? (JSON.parse(run.stdout) as Record<string, any>) : undefined;
  }

  cli(args: string[], input?: string): CliRun {
    return blazefleet(args, { env: this.env(), ...(input === undefined ? {} : { input }) });
  }

  /** Runs the CLI without blocking the test (for `submit --wait` while the test acts on workers). */
  cliAsync(args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [blazefleetBin, ...args], { cwd: repoRoot, env: { ...process.env, ...this.env() } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  startWorker(workDir: string, extraEnv: NodeJS.ProcessEnv = {}, pool: 'cpu' | 'gpu' = 'cpu'): FleetWorkerProcess {
    const child = spawn(process.execPath, [blazefleetBin, 'worker', '--pool', pool, '--work-dir', workDir], {
      cwd: repoRoot,
      env: { ...process.env, ...this.env(extraEnv) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new FleetWorkerProcess(child);
    this.workers.push(worker);
    return worker;
  }

  async createBucket(bucket: string): Promise<void> {
    await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }

  async put(bucket: string, key: string, body: string | Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async keys(bucket: string, prefix: string): Promise<string[]> {
    const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((object) => object.Key!).sort();
  }

  async get(bucket: string, key: string): Promise<Buffer> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  /** Workers connected to the pool's queue now. */
  async workerCount(pool: 'cpu' | 'gpu'): Promise<number> {
    const redis = new Redis(this.redisUrl);
    const queues = new TrainingQueues(redis, new FleetKeys(this.prefix));
    try {
      return await queues.workerCount(pool);
    } finally {
      await queues.close();
      redis.disconnect();
    }
  }

  /** Stops the workers, the S3 server, and removes this fleet's Redis keys. */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.kill('SIGKILL')));
    await this.moto.stop();
    this.s3.destroy();
    const redis = new Redis(this.redisUrl);
    await deleteKeysUnder(redis, this.prefix);
    redis.disconnect();
  }
}

export class FleetWorkerProcess {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Resolves once the worker's log has a line matching `pattern`. */
  async waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const started = Date.now();
    while (!pattern.test(this.output)) {
      if (Date.now() - started > timeoutMs) throw new Error(`worker log never matched ${pattern}:\n${this.output.slice(-3000)}`);
      if (this.child.exitCode !== null) throw new Error(`worker exited (${this.child.exitCode}) before ${pattern}:\n${this.output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Polls `read` until `done` holds, or fails after the timeout with the last value. */
export async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting; last value: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Writes the job spec `{ name, ...defaults, ...spec }` to `<dir>/<name>.json` for `submit`, and returns its path. */
export function writeJobSpec(dir: string, name: string, defaults: Record<string, unknown>, spec: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, ...defaults, ...spec }));
  return path;
}
