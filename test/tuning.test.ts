import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetKeys, TrainingJobStore, connectRedis } from '../packages/queue/src/index.js';
import { blazefleetBin, repoRoot, writeTinyCorpus } from './blazefleet-cli.js';
import { TestFleet, eventually } from './fleet-support.js';
import { TuningTestBed } from './tuning-support.js';

const bed = new TuningTestBed('blazefleet-tuning-', 'tuning-test');
const { dir, bucket, startScheduler, writeTuningSpec, scoreCommandDefinition, describeTuning, analytics } = bed;
let fleet: TestFleet;
let scheduler: ChildProcess;

beforeAll(async () => {
  fleet = await bed.start();
  writeTinyCorpus(join(dir, 'corpus.txt'), 2000);
  await fleet.put(bucket, 'corpus/corpus.txt', readFileSync(join(dir, 'corpus.txt')));
  scheduler = startScheduler();
});

afterAll(async () => {
  scheduler?.kill('SIGKILL');
  await fleet?.stop();
});

describe('tuning jobs on the fleet', () => {
  it('runs a Bayesian tuning job of word2vec trials to completion, never more than maxParallel at once', async () => {
    const spec = writeTuningSpec('w2v-tuning', {
      strategy: 'Bayesian',
      objective: { type: 'Maximize', metricName: 'train:mean_rho' },
      parameterRanges: {
        continuousParameterRanges: [{ name: 'learning_rate', minValue: 0.01, maxValue: 0.1, scalingType: 'Logarithmic' }],
        integerParameterRanges: [{ name: 'window_size', minValue: 2, maxValue: 6 }],
      },
      resourceLimits: { maxNumberOfTrainingJobs: 4, maxParallelTrainingJobs: 2 },
      randomSeed: 3,
      trainingJobDefinition: {
        algorithm: 'blazingtext',
        hyperParameters: { mode: 'skipgram', epochs: '1', vector_dim: '16', min_count: '2' },
        inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/` }],
        outputPath: `s3://${bucket}/output`,
        resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 1 },
        stoppingCondition: { maxRuntimeInSeconds: 300 },
      },
    });
    const waiting = fleet.cliAsync(['tune', spec, '--wait']);
    // Sampled straight from Redis every 20 ms while the job runs: trials running at once, at most.
    const redis = await connectRedis(fleet.redisUrl);
    const store = new TrainingJobStore(redis, new FleetKeys(fleet.prefix));
    let mostRunning = 0;
    let finished = false;
    const sampling = (async () => {
      while (!finished) {
        const running = (await store.list({ status: 'InProgress' })).filter((j) => j.name.startsWith('w2v-tuning-') && j.secondaryStatus !== 'Pending');
        mostRunning = Math.max(mostRunning, running.length);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const run = await waiting;
    finished = true;
    await sampling;
    redis.disconnect();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const job = describeTuning('w2v-tuning');
    expect(job).toMatchObject({ status: 'Completed', trainingJobStatusCounters: { Completed: 4 } });
    expect(mostRunning).toBeGreaterThan(0);
    expect(mostRunning).toBeLessThanOrEqual(2);
    const rows = analytics('w2v-tuning');
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => /^w2v-tuning-00[1-4]-[0-9a-f]{8}$/.test(row.trainingJobName))).toBe(true);
    const objectives = rows.map((row) => row.finalObjectiveValue as number);
    expect([...objectives].sort((a, b) => b - a)).toEqual(objectives);
    expect(job.bestTrainingJob.trainingJobName).toBe(rows[0]!.trainingJobName);
    expect(rows.every((row) => row.billableSeconds > 0 && row.cost > 0)).toBe(true);
    // Trials report mean_rho after every epoch: what early stopping compares.
    const series = JSON.parse(fleet.cli(['metrics', rows[0]!.trainingJobName, '--json']).stdout) as { name: string; epoch?: number }[];
    expect(series).toContainEqual(expect.objectContaining({ name: 'train:mean_rho', epoch: 1 }));
    const csv = fleet.cli(['tuning', 'analytics', 'w2v-tuning', '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('TrainingJobName,TrainingJobStatus,FinalObjectiveValue,learning_rate,window_size,TrainingStartTime,TrainingEndTime,BillableSeconds,Cost');
    expect(csv).toHaveLength(5);
  });

  it('stops clearly bad trials early with the median rule', async () => {
    const spec = writeTuningSpec('early', {
      strategy: 'Random',
      objective: { type: 'Maximize', metricName: 'score' },
      parameterRanges: { continuousParameterRanges: [{ name: 'x', minValue: 0, maxValue: 1 }] },
      resourceLimits: { maxNumberOfTrainingJobs: 8, maxParallelTrainingJobs: 2 },
      trainingJobEarlyStoppingType: 'Auto',
      randomSeed: 5,
      trainingJobDefinition: scoreCommandDefinition(6, 0.5),
    });
    const run = fleet.cli(['tune', spec, '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const rows = analytics('early');
    expect(rows).toHaveLength(8);
    const stopped = rows.filter((row) => row.stoppedEarly);
    expect(stopped.length).toBeGreaterThan(0);
    // What was stopped was worse than the best trial that ran to the end, and ended Stopped.
    const finished = rows.filter((row) => !row.stoppedEarly && row.trainingJobStatus === 'Completed').map((row) => Number(row.hyperParameters.x));
    for (const row of stopped) {
      expect(Number(row.hyperParameters.x)).toBeLessThan(Math.max(...finished));
      expect(row.trainingJobStatus).toBe('Stopped');
    }
  });

  it('warm-starts from the trials of a finished tuning job', async () => {
    const spec = writeTuningSpec('warm', {
      strategy: 'Bayesian',
      objective: { type: 'Maximize', metricName: 'score' },
      parameterRanges: { continuousParameterRanges: [{ name: 'x', minValue: 0, maxValue: 1 }] },
      resourceLimits: { maxNumberOfTrainingJobs: 2, maxParallelTrainingJobs: 2 },
      warmStartConfig: { parentHyperParameterTuningJobs: [{ hyperParameterTuningJobName: 'early' }], warmStartType: 'IdenticalDataAndAlgorithm' },
      trainingJobDefinition: scoreCommandDefinition(2, 0.2),
    });
    const run = fleet.cli(['tune', spec, '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The tuner of the new job was given every parent trial that has an objective value, with its hyperparameters.
    const parents = analytics('early').filter((row) => row.finalObjectiveValue !== undefined);
    const redis = await connectRedis(fleet.redisUrl);
    const state = JSON.parse((await redis.get(`${fleet.prefix}:tuning:warm:tuner`))!) as { config: { warmStart: { parentTrials: { params: Record<string, string>; value: number }[] } } };
    redis.disconnect();
    const given = state.config.warmStart.parentTrials;
    expect(given.map((t) => t.value).sort()).toEqual(parents.map((row) => row.finalObjectiveValue as number).sort());
    expect(given.map((t) => t.params.x).sort()).toEqual(parents.map((row) => row.hyperParameters.x as string).sort());
    expect(analytics('warm')).toHaveLength(2);
  });

  it('continues a tuning job after its scheduler is killed, without losing or duplicating a trial', async () => {
    const spec = writeTuningSpec('restart', {
      strategy: 'Sobol',
      objective: { type: 'Maximize', metricName: 'score' },
      parameterRanges: { continuousParameterRanges: [{ name: 'x', minValue: 0, maxValue: 1 }] },
      resourceLimits: { maxNumberOfTrainingJobs: 6, maxParallelTrainingJobs: 2 },
      trainingJobDefinition: scoreCommandDefinition(2, 0.5),
    });
    expect(fleet.cli(['tune', spec]).code).toBe(0);
    await eventually(() => analytics('restart'), (rows) => rows.length >= 2);
    scheduler.kill('SIGKILL');
    await new Promise((resolve) => scheduler.once('exit', resolve));
    scheduler = startScheduler();
    const done = await eventually(() => describeTuning('restart'), (job) => job.status !== 'InProgress', 120_000);
    expect(done.status).toBe('Completed');
    const rows = analytics('restart');
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((row) => row.trainingJobName)).size).toBe(6);
    const trainingJobs = (JSON.parse(fleet.cli(['jobs', 'list', '--json']).stdout) as { name: string }[]).filter((j) => j.name.startsWith('restart-'));
    expect(trainingJobs).toHaveLength(6);
  });

  it('stops a tuning job and its running trials', async () => {
    const spec = writeTuningSpec('to-stop', {
      strategy: 'Random',
      objective: { type: 'Maximize', metricName: 'score' },
      parameterRanges: { continuousParameterRanges: [{ name: 'x', minValue: 0, maxValue: 1 }] },
      resourceLimits: { maxNumberOfTrainingJobs: 10, maxParallelTrainingJobs: 2 },
      trainingJobDefinition: scoreCommandDefinition(60, 1),
    });
    expect(fleet.cli(['tune', spec]).code).toBe(0);
    await eventually(() => analytics('to-stop'), (rows) => rows.some((row) => row.trainingJobStatus === 'InProgress'));
    expect(fleet.cli(['tuning', 'stop', 'to-stop']).code).toBe(0);
    const done = await eventually(() => describeTuning('to-stop'), (job) => job.status === 'Stopped', 120_000);
    expect(done.completionReason).toBe('StopRequested');
    expect(analytics('to-stop').every((row) => row.trainingJobStatus !== 'InProgress')).toBe(true);
  });

  it('refuses an invalid tuning spec, naming the field', () => {
    const spec = writeTuningSpec('bad-tuning', {
      strategy: 'Grid',
      objective: { type: 'Maximize', metricName: 'score' },
      parameterRanges: { continuousParameterRanges: [{ name: 'x', minValue: 0, maxValue: 1 }] },
      resourceLimits: { maxParallelTrainingJobs: 2 },
      trainingJobDefinition: scoreCommandDefinition(1, 0),
    });
    const run = fleet.cli(['tune', spec]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('parameterRanges.continuousParameterRanges[0]');
  });
});

describe('the scheduler HTTP API', () => {
  const token = 'test-token-123';
  let api: ChildProcess;
  let base: string;

  beforeAll(async () => {
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => done(free));
      });
    });
    base = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, [blazefleetBin, 'scheduler', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: repoRoot,
      env: { ...process.env, ...fleet.env({ BLAZEFLEET_API_TOKEN: token }) },
      stdio: 'ignore',
    });
    await eventually(() => fetch(`${base}/healthz`).then((r) => r.status, () => 0), (status) => status === 200);
  });
  afterAll(() => void api?.kill('SIGKILL'));

  const call = (path: string, init: RequestInit & { auth?: string } = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.auth === undefined ? {} : { authorization: init.auth }) } });

  it('refuses requests without the bearer token, and answers /healthz and /metrics without it', async () => {
    expect((await call('/tuning-jobs')).status).toBe(401);
    expect((await call('/tuning-jobs', { auth: 'Bearer wrong' })).status).toBe(401);
    expect((await call('/training-jobs', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await call('/healthz')).status).toBe(200);
    const metrics = await (await call('/metrics')).text();
    expect(metrics).toContain('blazefleet_queue_jobs{pool="cpu",state="waiting"}');
    expect(metrics).toMatch(/blazefleet_training_jobs\{status="Completed"\} [1-9]/);
  });

  it('creates, describes, lists and stops jobs, and names what is wrong', async () => {
    const auth = `Bearer ${token}`;
    const definition = scoreCommandDefinition(30, 1);
    const created = await call('/training-jobs', { method: 'POST', auth, body: JSON.stringify({ name: 'api-job', ...definition }) });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { status: string }).status).toBe('InProgress');
    expect((await call('/training-jobs', { method: 'POST', auth, body: JSON.stringify({ name: 'api-job', ...definition }) })).status).toBe(409);
    const bad = await call('/training-jobs', { method: 'POST', auth, body: JSON.stringify({ name: 'api-bad', ...definition, resourceConfig: { instanceType: 'ml.nope' } }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('resourceConfig.instanceType');
    expect((await call('/training-jobs', { method: 'POST', auth, body: 'not json' })).status).toBe(400);
    expect((await call('/training-jobs/no-such-job', { auth })).status).toBe(404);
    expect((await call('/no-such-route', { auth })).status).toBe(404);
    const stopped = await call('/training-jobs/api-job/stop', { method: 'POST', auth });
    expect(stopped.status).toBe(200);
    expect(['Stopping', 'Stopped']).toContain(((await stopped.json()) as { status: string }).status);
    const list = (await (await call('/tuning-jobs', { auth })).json()) as { name: string }[];
    expect(list.map((job) => job.name)).toContain('w2v-tuning');
    const rows = (await (await call('/tuning-jobs/w2v-tuning/analytics', { auth })).json()) as unknown[];
    expect(rows).toHaveLength(4);
  });
});
