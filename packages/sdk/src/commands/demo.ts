import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '@blazefleet/core';
import { integerOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { analyticsTable, describeTuningText } from './tuning-text.js';

const DEFAULT_CORPUS = 'examples/data/wiki-500k.txt.gz';
/** In the repository, beside the packages: found from this package, whatever the working directory. */
const EXAMPLE_TUNING_JOB = join(dirname(createRequire(import.meta.url).resolve('@blazefleet/sdk/package.json')), '..', '..', 'examples', 'word2vec-tuning.json');
const NEIGHBOUR_WORDS = ['king', 'paris', 'computer', 'water'];

const OPTIONS: OptionSpecs = {
  corpus: { type: 'string', valueName: 'FILE|URI', description: `Training corpus: a file, a folder, or an s3:// or file:// URI (default ${DEFAULT_CORPUS}).` },
  trials: { type: 'string', valueName: 'N', description: 'Training jobs in all (default 12).' },
  parallel: { type: 'string', valueName: 'N', description: 'Training jobs at once, and workers started (default 2).' },
  'data-dir': { type: 'string', valueName: 'DIR', description: 'Where artifacts go, unless --output is an s3:// URI (default ./blazefleet-data).' },
  output: { type: 'string', valueName: 'URI', description: 'Output location of the trials (default file://<data-dir>/output).' },
  'redis-url': { type: 'string', valueName: 'URL', description: 'Redis to use (default REDIS_URL, else 127.0.0.1:6379, else a redis-server started for the demo).' },
  ...COMMON_OPTIONS,
};

async function answers(url: string): Promise<boolean> {
  const { connectRedis } = await import('@blazefleet/queue');
  try {
    (await connectRedis(url)).disconnect();
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** REDIS_URL, a Redis on localhost:6379, or a redis-server started here (stopped with the demo). */
async function findRedis(explicit: string | undefined, io: CliIo, children: ChildProcess[]): Promise<string> {
  const url = explicit ?? process.env.REDIS_URL;
  if (url !== undefined) {
    if (!(await answers(url))) throw new UsageError(`Redis at ${url} does not answer (--redis-url / REDIS_URL)`);
    return url;
  }
  if (await answers('redis://127.0.0.1:6379')) return 'redis://127.0.0.1:6379';
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const started = await new Promise<boolean>((done) => {
    server.once('error', () => done(false));
    server.once('spawn', () => done(true));
  });
  if (!started) {
    throw new UsageError('no Redis: none answers on 127.0.0.1:6379 and redis-server is not installed. Install it (apt-get install redis-server, brew install redis) or set REDIS_URL');
  }
  children.push(server);
  const local = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(local)); i++) await new Promise((r) => setTimeout(r, 100));
  io.stdout.write(`Started redis-server on port ${port} for the demo\n`);
  return local;
}

function channelUri(corpus: string): string {
  if (/^(s3|file):\/\//.test(corpus)) return corpus;
  if (!existsSync(corpus)) throw new UsageError(`--corpus: no such file or folder: ${corpus}`);
  return `file://${resolve(corpus)}`;
}

/**
 * The demo's tuning job: `examples/word2vec-tuning.json`, the tuning job of the README's compose path, a small version
 * of the AMT word2vec experiment (BlazingText on text8, WS-353 mean_rho; min_count's [20, 50] on 17 M words scaled to
 * [2, 8] for a corpus of half a million), with this run's name, corpus, output and trial counts.
 */
async function demoSpec(name: string, corpus: string, output: string, trials: number, parallel: number): Promise<Record<string, any>> {
  const spec = JSON.parse(await readFile(EXAMPLE_TUNING_JOB, 'utf8')) as Record<string, any>;
  return {
    ...spec,
    name,
    resourceLimits: { ...spec.resourceLimits, maxNumberOfTrainingJobs: trials, maxParallelTrainingJobs: parallel },
    trainingJobDefinition: { ...spec.trainingJobDefinition, inputDataConfig: [{ channelName: 'train', uri: corpus }], outputPath: output },
  };
}

async function demo(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: false });
  const trials = integerOption(args, 'trials', 1, 12);
  const parallel = integerOption(args, 'parallel', 1, 2);
  const dataDir = resolve(stringOption(args, 'data-dir') ?? 'blazefleet-data');
  const output = stringOption(args, 'output') ?? `file://${join(dataDir, 'output')}`;
  const corpus = channelUri(stringOption(args, 'corpus') ?? DEFAULT_CORPUS);
  const children: ChildProcess[] = [];
  const bin = process.argv[1]!;
  try {
    const redisUrl = await findRedis(stringOption(args, 'redis-url'), io, children);
    const env = { ...process.env, REDIS_URL: redisUrl };
    const start = (command: string[]) => {
      const child = spawn(process.execPath, [bin, ...command], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
    };
    start(['scheduler']);
    for (let i = 0; i < parallel; i++) start(['worker', '--pool', 'cpu', '--work-dir', join(dataDir, 'trials')]);
    io.stdout.write(`Started the scheduler and ${parallel} workers (Redis ${redisUrl}); artifacts under ${output}\n`);

    const { TuningJobsClient } = await import('../tuning-jobs-client.js');
    const client = await TuningJobsClient.connect({ redisUrl });
    try {
      const name = `demo-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
      await client.create(await demoSpec(name, corpus, output, trials, parallel));
      io.stdout.write(`Tuning word2vec for WS-353 mean_rho: job ${name}, ${trials} trials, ${parallel} at a time\n`);
      let finished = -1;
      const done = await client.waitFor(name, {
        onUpdate: (job, rows) => {
          const ended = rows.filter((row) => ['Completed', 'Failed', 'Stopped'].includes(row.trainingJobStatus)).length;
          if (ended !== finished) io.stdout.write(`${new Date().toISOString()} ${ended}/${trials} trials done${job.bestTrainingJob ? `, best mean_rho ${job.bestTrainingJob.finalObjectiveValue?.toFixed(4)}` : ''}\n`);
          finished = ended;
        },
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
      io.stdout.write(`\n${analyticsTable(await client.analytics(name))}\n${describeTuningText(done)}`);
      const best = done.bestTrainingJob;
      if (best !== undefined && output.startsWith('file://')) await showBestModel(join(output.slice('file://'.length), best.trainingJobName, 'output', 'model.tar.gz'), io);
      return done.status === 'Completed' ? 0 : 1;
    } finally {
      await client.close();
    }
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once('exit', done)))));
  }
}

/** eval.json of the best model and the nearest neighbours of a few words in its vectors. */
async function showBestModel(archive: string, io: CliIo): Promise<void> {
  const { extractModelArchive, readWord2VecText } = await import('@blazefleet/algorithms');
  const dir = `${archive.slice(0, -'.tar.gz'.length)}`;
  await extractModelArchive(archive, dir);
  io.stdout.write(`\nBest model: ${archive}\neval.json: ${(await readFile(join(dir, 'eval.json'), 'utf8')).trim()}\n`);
  const vectors = await readWord2VecText(join(dir, 'vectors.txt'));
  for (const word of NEIGHBOUR_WORDS) {
    if (vectors.vector(word) === undefined) continue;
    const near = vectors.mostSimilar([word], [], 5).map((s) => `${s.word} ${s.similarity.toFixed(3)}`);
    io.stdout.write(`  ${word}: ${near.join(', ')}\n`);
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Tune word2vec for WS-353 end to end on this machine: Redis, the scheduler, two workers, local artifacts.',
  usage: 'demo [--corpus FILE|URI] [--trials 12] [--parallel 2] [--data-dir ./blazefleet-data] [--output URI] [--redis-url URL]',
  options: OPTIONS,
  details: () =>
    'Uses REDIS_URL or a Redis on localhost:6379, else starts redis-server from PATH for the demo. Starts the\n' +
    'scheduler and the workers as child processes, tunes mode, learning_rate, window_size, vector_dim, min_count\n' +
    'and negative_samples with Bayesian search, then prints the analytics, the best job and its nearest neighbours.',
  run: demo,
};
