import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadWordVectors } from '@blazefleet/algorithms';
import { S3ArtifactStore } from '@blazefleet/artifact-store';
import { startMotoServer, uniqueBucketName, type MotoServer } from '@blazefleet/artifact-store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeLines } from '../packages/algorithms/src/testing/corpus-files.js';
import { seededRandom } from '../packages/algorithms/src/testing/seeded-random.js';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { postJson, sendRequest } from '../packages/model-server/src/testing/http-requests.js';
import { blazefleet, blazefleetBin, repoRoot, writeTinyCorpus } from './blazefleet-cli.js';

const dir = temporaryDirectory('blazefleet-cli-serve-');
const plain = join(dir, 'plain');
const subwords = join(dir, 'subwords');
const classifier = join(dir, 'classifier');
const TOKEN = 'serve-token-4d1c9e';

interface RunningServer {
  port: number;
  child: ChildProcess;
  /** JSON log records so far. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    if (server.child.exitCode === null) server.child.kill('SIGTERM');
    await server.exited;
  }
});

function train(args: string[]): void {
  const run = blazefleet(['train', ...args, '--min_count', '1', '--vector_dim', '10', '--epochs', '2', '--threads', '1']);
  expect(run.code, run.stderr).toBe(0);
}

/** Starts `blazefleet serve` on a free port and resolves once its model is loaded. */
async function serve(model: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [blazefleetBin, 'serve', '--model', model, '--port', '0', '--host', '127.0.0.1', ...extra], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: RunningServer = { port: 0, child, logs: [], exited };
  running.push(server);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      server.logs.push(record);
      if (record.msg === 'listening') server.port = record.port as number;
      if (record.msg === 'model loaded') resolve();
    });
    void exited.then((code) => reject(new Error(`blazefleet serve exited with ${code}: ${stderr}`)));
  });
  return server;
}

/** vectors.txt as float32 vectors by word. */
function readVectorsText(path: string): Map<string, number[]> {
  const [, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return new Map(
    rows.map((row) => {
      const [word, ...values] = row.split(' ');
      return [word!, Array.from(Float32Array.from(values.map(Number)))];
    }),
  );
}

async function servedVectors(port: number, words: string[]): Promise<Map<string, number[]>> {
  const answer = await postJson(port, '/invocations', { instances: words });
  expect(answer.status, answer.body).toBe(200);
  const items = JSON.parse(answer.body) as { word: string; vector: number[] }[];
  expect(items.map((item) => item.word)).toEqual(words);
  return new Map(items.map((item) => [item.word, Array.from(Float32Array.from(item.vector))]));
}

beforeAll(() => {
  writeTinyCorpus(join(dir, 'corpus.txt'));
  train(['--mode', 'skipgram', '--train', join(dir, 'corpus.txt'), '--output', plain]);
  train(['--mode', 'skipgram', '--subwords', '--buckets', '1000', '--train', join(dir, 'corpus.txt'), '--output', subwords]);
  const random = seededRandom(3);
  const topics = { sport: 'ball goal team match', food: 'bread soup cook salt' };
  writeLines(
    join(dir, 'labeled.txt'),
    Array.from({ length: 100 }, () => {
      const [label, words] = Object.entries(topics)[Math.floor(random() * 2)]!;
      return `__label__${label} ${Array.from({ length: 6 }, () => words.split(' ')[Math.floor(random() * 4)]).join(' ')}`;
    }),
  );
  train(['--mode', 'supervised', '--train', join(dir, 'labeled.txt'), '--output', classifier, '--buckets', '1000']);
});

describe('blazefleet serve', () => {
  it('serves the vectors of vectors.txt, equal as float32, from the output directory and from model.tar.gz', async () => {
    const reference = readVectorsText(join(plain, 'vectors.txt'));
    const words = [...reference.keys()];
    for (const model of [plain, join(plain, 'model.tar.gz')]) {
      const server = await serve(model);
      expect(await servedVectors(server.port, words)).toEqual(reference);
    }
  });

  it('answers unknown words with zeros, or with their n-gram vectors from a subwords model.bin', async () => {
    const server = await serve(plain);
    expect((await servedVectors(server.port, ['kingdom'])).get('kingdom')).toEqual(new Array(10).fill(0));
    const withSubwords = await serve(subwords);
    const served = await servedVectors(withSubwords.port, ['kingdom', 'king']);
    const library = await loadWordVectors(subwords);
    expect(served.get('kingdom')!.some((value) => value !== 0)).toBe(true);
    expect(served.get('kingdom')).toEqual(Array.from(library.vector('kingdom')!));
    // In-vocabulary words get model.bin's vectors as fastText computes them, which are vectors.txt's.
    expect(served.get('king')).toEqual(Array.from(library.vector('king')!));
    expect(served.get('king')).toEqual(readVectorsText(join(subwords, 'vectors.txt')).get('king'));
  });

  it('classifies as blazefleet predict does', async () => {
    const request = JSON.stringify({ instances: ['ball goal team', 'Bread, soup!', 'zebra', ''], configuration: { k: 2 } });
    const predicted = blazefleet(['predict', '--model', classifier, '--input', '-'], { input: request });
    expect(predicted.code, predicted.stderr).toBe(0);
    const server = await serve(join(classifier, 'model.tar.gz'));
    const answer = await postJson(server.port, '/invocations', request);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(JSON.parse(predicted.stdout));
    const lines = await sendRequest(server.port, 'POST', '/invocations', {
      headers: { 'content-type': 'application/jsonlines' },
      body: '{"source": "ball goal team", "k": 2}\n"Bread, soup!"\n',
    });
    const expected = JSON.parse(predicted.stdout) as { label: string[]; prob: number[] }[];
    expect(lines.body).toBe(`${JSON.stringify(expected[0])}\n${JSON.stringify({ label: expected[1]!.label.slice(0, 1), prob: expected[1]!.prob.slice(0, 1) })}\n`);
  });

  it('asks for the bearer token of BLAZEFLEET_SERVE_TOKEN on every route but /ping and /metrics, and logs no token', async () => {
    const server = await serve(plain, { BLAZEFLEET_SERVE_TOKEN: TOKEN }, ['--log-level', 'debug']);
    const request = { positive: ['king'], k: 3 };
    expect((await postJson(server.port, '/most_similar', request)).status).toBe(401);
    expect((await postJson(server.port, '/most_similar', request, { authorization: 'Bearer wrong' })).status).toBe(401);
    const answer = await postJson(server.port, '/most_similar', request, { authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toHaveLength(3);
    expect((await sendRequest(server.port, 'GET', '/ping')).status).toBe(200);
    expect((await sendRequest(server.port, 'GET', '/metrics')).body).toMatch(/blazefleet_serve_requests_total\{route="\/most_similar",status="401"\} 2/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.logs.filter((record) => record.msg === 'request' || record.msg === 'request refused')).toHaveLength(5);
    expect(JSON.stringify(server.logs)).not.toContain(TOKEN);
    expect(server.logs.at(-1)).toMatchObject({ msg: 'stopped' });
  });

  it('exits 2 naming the problem for a missing model or a bad option', () => {
    const missing = blazefleet(['serve', '--model', join(dir, 'nowhere'), '--port', '0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere: no such file or directory/);
    const port = blazefleet(['serve', '--model', plain, '--port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port: expected a non-negative integer, got "http"/);
  });
});

describe('blazefleet serve from S3', () => {
  let moto: MotoServer;
  const bucket = uniqueBucketName('cli-serve');

  beforeAll(async () => {
    moto = await startMotoServer();
    const store = new S3ArtifactStore({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    await store.createBucket(`s3://${bucket}`);
    await store.upload(join(plain, 'model.tar.gz'), `s3://${bucket}/jobs/plain/output/model.tar.gz`);
  });
  afterAll(() => moto?.stop());

  it('downloads model.tar.gz from the server at AWS_ENDPOINT_URL_S3', async () => {
    const server = await serve(`s3://${bucket}/jobs/plain/output/model.tar.gz`, {
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      AWS_REGION: moto.region,
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    });
    const reference = readVectorsText(join(plain, 'vectors.txt'));
    expect(await servedVectors(server.port, [...reference.keys()])).toEqual(reference);
  });
});
