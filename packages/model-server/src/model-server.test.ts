import { endpointAnswer, loadClassifier, WordVectors } from '@blazefleet/algorithms';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../algorithms/src/testing/seeded-random.js';
import { temporaryDirectory } from '../../algorithms/src/testing/temporary-directory.js';
import { numberedWords } from '../../algorithms/src/testing/test-vectors.js';
import { ModelServer, type ModelServerOptions } from './model-server.js';
import { MAX_PAYLOAD_BYTES } from './request-body.js';
import { servedWordVectors, type ServedClassifier, type ServedModel } from './served-model.js';
import { postJson, sendRequest } from './testing/http-requests.js';
import { randomVectors, trainTinyClassifier } from './testing/tiny-models.js';

const TOKEN = 'secret-token-7f3a';
const logLines: string[] = [];
const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
const servers: ModelServer[] = [];
const directory = temporaryDirectory('model-server-');

const vectors = randomVectors(numberedWords(300, ['king', 'queen', 'man', 'woman']), 12, 21);
const random = seededRandom(22);
const subwordVectors = new WordVectors(['known'], 4, Float32Array.from({ length: 4 }, () => random()), {
  minn: 2,
  maxn: 3,
  buckets: 50,
  ngramVectors: Float32Array.from({ length: 200 }, () => random() - 0.5),
});
let classifierModel: ServedClassifier;
let vectorServer: ModelServer;
let classifierServer: ModelServer;

async function startServer(model: ServedModel | undefined, options: Partial<ModelServerOptions> = {}): Promise<ModelServer> {
  const server = await ModelServer.start({ log, port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  if (model !== undefined) server.serve(model);
  return server;
}

/** A vector of the JSON answer read back as float32, the precision the model holds. */
const float32 = (values: number[]) => Array.from(Float32Array.from(values));

beforeAll(async () => {
  classifierModel = { kind: 'classifier', classifier: await loadClassifier(await trainTinyClassifier(directory)) };
  vectorServer = await startServer(servedWordVectors(vectors));
  classifierServer = await startServer(classifierModel);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

describe('the SageMaker container contract', () => {
  it('answers /ping 503 until a model is served, then 200', async () => {
    const server = await startServer(undefined);
    expect((await sendRequest(server.port, 'GET', '/ping')).status).toBe(503);
    expect((await postJson(server.port, '/invocations', { instances: ['king'] })).status).toBe(503);
    expect((await sendRequest(server.port, 'GET', '/metrics')).body).toMatch(/^blazefleet_serve_model_loaded 0$/m);
    server.serve(servedWordVectors(vectors));
    expect(await sendRequest(server.port, 'GET', '/ping')).toMatchObject({ status: 200 });
    expect((await sendRequest(server.port, 'GET', '/metrics')).body).toMatch(/^blazefleet_serve_model_loaded 1$/m);
    const parameters = JSON.parse((await sendRequest(server.port, 'GET', '/execution-parameters')).body);
    expect(parameters).toMatchObject({ BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 });
  });
});

describe('word vectors', () => {
  it('answers each instance with its vector, in request order, equal as float32', async () => {
    const words = ['woman', 'w7', 'king', 'king'];
    const answer = await postJson(vectorServer.port, '/invocations', { instances: words });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    const parsed = JSON.parse(answer.body) as { vector: number[]; word: string }[];
    expect(parsed.map((item) => item.word)).toEqual(words);
    parsed.forEach(({ word, vector }) => expect(float32(vector)).toEqual(Array.from(vectors.vector(word)!)));
    expect(Object.keys(parsed[0]!)).toEqual(['vector', 'word']);
  });

  it('gives unknown words zeros, or their n-gram vector when the model has subwords', async () => {
    const plain = JSON.parse((await postJson(vectorServer.port, '/invocations', { instances: ['kingdom'] })).body);
    expect(plain).toEqual([{ vector: new Array(12).fill(0), word: 'kingdom' }]);
    const server = await startServer(servedWordVectors(subwordVectors));
    const [unknown] = JSON.parse((await postJson(server.port, '/invocations', { instances: ['unknown'] })).body) as { vector: number[] }[];
    expect(unknown!.vector.some((value) => value !== 0)).toBe(true);
    expect(float32(unknown!.vector)).toEqual(Array.from(subwordVectors.vector('unknown')!));
  });

  it('reads and writes JSON Lines, and answers in the format the Accept header asks for', async () => {
    const body = '{"source": "king"}\n"queen"\n\n';
    const lines = await sendRequest(vectorServer.port, 'POST', '/invocations', { headers: { 'content-type': 'application/jsonlines' }, body });
    expect(lines.status).toBe(200);
    expect(lines.headers['content-type']).toBe('application/jsonlines');
    const records = lines.body.trimEnd().split('\n').map((line) => JSON.parse(line) as { word: string; vector: number[] });
    expect(records.map((record) => record.word)).toEqual(['king', 'queen']);
    expect(float32(records[1]!.vector)).toEqual(Array.from(vectors.vector('queen')!));
    const asJson = await sendRequest(vectorServer.port, 'POST', '/invocations', {
      headers: { 'content-type': 'application/jsonlines', accept: 'application/json' },
      body,
    });
    expect(JSON.parse(asJson.body)).toEqual(records);
    const refused = await postJson(vectorServer.port, '/invocations', { instances: ['king'] }, { accept: 'text/csv' });
    expect(refused.status).toBe(406);
  });

  it('answers most_similar as gensim does and similarity for pairs, null for unknown words', async () => {
    const request = { positive: ['king', 'woman'], negative: ['man'], k: 7 };
    const answer = await postJson(vectorServer.port, '/most_similar', request);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(vectors.mostSimilar(request.positive, request.negative, 7));
    const defaultK = JSON.parse((await postJson(vectorServer.port, '/most_similar', { positive: ['king'] })).body) as unknown[];
    expect(defaultK).toHaveLength(10);
    const pairs = JSON.parse((await postJson(vectorServer.port, '/similarity', { pairs: [['king', 'queen'], ['king', 'nowhere']] })).body);
    expect(pairs).toEqual([
      { pair: ['king', 'queen'], similarity: vectors.similarity('king', 'queen') },
      { pair: ['king', 'nowhere'], similarity: null },
    ]);
  });
});

describe('a classifier', () => {
  it('answers as Classifier.predict does, with k from the request', async () => {
    const texts = ['ball goal team', 'Bread, SOUP!', '', 'unknown words only'];
    const answer = await postJson(classifierServer.port, '/invocations', { instances: texts, configuration: { k: 2 } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(texts.map((text) => endpointAnswer(classifierModel.classifier.predict(text, 2))));
  });

  it('takes k per JSON Lines record, 1 by default', async () => {
    const body = '{"source": "ball goal", "k": 2}\n{"source": "soup"}\n';
    const answer = await sendRequest(classifierServer.port, 'POST', '/invocations', { headers: { 'content-type': 'application/jsonlines' }, body });
    const records = answer.body.trimEnd().split('\n').map((line) => JSON.parse(line) as { label: string[] });
    expect(records.map((record) => record.label.length)).toEqual([2, 1]);
    expect(records[1]!.label).toEqual(['__label__food']);
  });
});

describe('bad requests', () => {
  it.each([
    ['invalid JSON', '/invocations', '{"instances": [', /not valid JSON/],
    ['no instances', '/invocations', '{"words": ["king"]}', /^instances: required: expected an array of strings$/],
    ['an instance that is no string', '/invocations', '{"instances": ["king", 1]}', /^instances\[1\]: expected a string, got 1$/],
    ['k for word vectors', '/invocations', '{"instances": ["king"], "configuration": {"k": 2}}', /k .* is for classifiers/],
    ['most_similar without words', '/most_similar', '{"k": 3}', /at least one word/],
    ['most_similar with an unknown word', '/most_similar', '{"positive": ["nowhere"]}', /"nowhere" is not in the model's vocabulary/],
    ['most_similar with k over the limit', '/most_similar', '{"positive": ["king"], "k": 5000}', /^k: expected an integer from 1 to 1000, got 5000$/],
    ['similarity of a word, not a pair', '/similarity', '{"pairs": ["king"]}', /^pairs\[0\]: expected a pair of words/],
  ])('%s: POST %s answers 400 naming the problem', async (_name, path, body, message) => {
    const answer = await postJson(vectorServer.port, path, body);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body).error).toMatch(message);
  });

  it('refuses word-vector routes on a classifier', async () => {
    for (const path of ['/most_similar', '/similarity']) {
      const answer = await postJson(classifierServer.port, path, { positive: ['ball'] });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error).toMatch(new RegExp(`POST ${path} needs a word-vector model: this server serves a classifier`));
    }
  });

  it('answers 415 to other content types, 404 to unknown routes, 405 to other methods', async () => {
    const form = await sendRequest(vectorServer.port, 'POST', '/invocations', { headers: { 'content-type': 'text/csv' }, body: 'king' });
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body).error).toMatch(/"text\/csv".*application\/json or application\/jsonlines/);
    expect((await sendRequest(vectorServer.port, 'POST', '/invocations', { body: '{}' })).status).toBe(415);
    expect((await sendRequest(vectorServer.port, 'POST', '/most_similar', { headers: { 'content-type': 'application/jsonlines' }, body: '{}' })).status).toBe(415);
    const missing = await sendRequest(vectorServer.port, 'GET', '/predict');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toMatch(/no such route: \/predict/);
    const wrongMethod = await sendRequest(vectorServer.port, 'GET', '/invocations');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    expect((await sendRequest(vectorServer.port, 'DELETE', '/ping')).status).toBe(405);
  });

  it('answers 413 to a body over 6 MB, declared or streamed, without reading it to its end', async () => {
    const declared = await sendRequest(vectorServer.port, 'POST', '/invocations', {
      headers: { 'content-type': 'application/json', 'content-length': MAX_PAYLOAD_BYTES + 1 },
      write: (request) => request.write('{"instances": ['),
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toMatch(/over 6291456 bytes/);
    // A chunked body that never ends: only a server that stops reading at the limit can answer it.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const endless = await sendRequest(vectorServer.port, 'POST', '/invocations', {
      headers: { 'content-type': 'application/json' },
      write: (request) => {
        const pump = (): void => {
          while (!request.destroyed && request.write(chunk));
        };
        request.on('drain', pump);
        pump();
      },
    });
    expect(endless.status).toBe(413);
    const exact = await postJson(vectorServer.port, '/invocations', `{"instances": ["king"]}${' '.repeat(MAX_PAYLOAD_BYTES - 23)}`);
    expect(exact.status).toBe(200);
  });

  it('answers 400 to a body that is not UTF-8', async () => {
    const answer = await sendRequest(vectorServer.port, 'POST', '/invocations', {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/UTF-8/);
  });
});

describe('the bearer token', () => {
  it('guards every route but /ping and /metrics, and never reaches the logs', async () => {
    const server = await startServer(servedWordVectors(vectors), { token: TOKEN });
    const request = { instances: ['king'] };
    expect((await postJson(server.port, '/invocations', request)).status).toBe(401);
    expect((await postJson(server.port, '/invocations', request, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await postJson(server.port, '/invocations', request, { authorization: TOKEN })).status).toBe(401);
    expect((await sendRequest(server.port, 'GET', '/nowhere')).status).toBe(401);
    expect((await postJson(server.port, '/invocations', request, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await postJson(server.port, '/most_similar', { positive: ['king'] }, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await sendRequest(server.port, 'GET', '/ping')).status).toBe(200);
    expect((await sendRequest(server.port, 'GET', '/metrics')).status).toBe(200);
    expect(logLines.join('')).not.toContain(TOKEN);
  });
});

describe('metrics and logs', () => {
  it('counts requests by route and status, with a latency histogram', async () => {
    const server = await startServer(servedWordVectors(vectors));
    await postJson(server.port, '/invocations', { instances: ['king'] });
    await postJson(server.port, '/invocations', '{');
    await sendRequest(server.port, 'GET', '/nowhere/at/all');
    const text = (await sendRequest(server.port, 'GET', '/metrics')).body;
    expect(text).toMatch(/^blazefleet_serve_requests_total\{route="\/invocations",status="200"\} 1$/m);
    expect(text).toMatch(/^blazefleet_serve_requests_total\{route="\/invocations",status="400"\} 1$/m);
    expect(text).toMatch(/^blazefleet_serve_requests_total\{route="unknown",status="404"\} 1$/m);
    expect(text).toMatch(/^blazefleet_serve_errors_total\{route="\/invocations",kind="client"\} 1$/m);
    expect(text).toMatch(/^blazefleet_serve_request_duration_seconds_bucket\{route="\/invocations",le="\+Inf"\} 2$/m);
    expect(text).toMatch(/^blazefleet_serve_request_duration_seconds_count\{route="\/invocations"\} 2$/m);
  });

  it('logs one line per request at debug and refusals at warn', async () => {
    const server = await startServer(servedWordVectors(vectors));
    const before = logLines.length;
    await postJson(server.port, '/invocations', { instances: ['king'] });
    await postJson(server.port, '/invocations', { instances: 'king' });
    const records = logLines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ level: 20, route: '/invocations', status: 200, msg: 'request' });
    expect(records[1]).toMatchObject({ level: 40, route: '/invocations', status: 400, msg: 'request refused' });
    expect(records[1]!.error).toMatch(/instances/);
  });
});

describe('stop', () => {
  it('refuses new connections and finishes the requests in flight', async () => {
    const server = await startServer(servedWordVectors(vectors));
    const port = server.port;
    const body = Buffer.from(JSON.stringify({ instances: ['king', 'queen'] }));
    let sendRest: () => void = () => {};
    const inFlight = sendRequest(port, 'POST', '/invocations', {
      headers: { 'content-type': 'application/json', 'content-length': body.length },
      write: (request) => {
        request.write(body.subarray(0, 10));
        sendRest = () => request.end(body.subarray(10));
      },
    });
    // The metrics request counts itself: 2 in flight means the slow request has arrived.
    while (!/^blazefleet_serve_in_flight_requests 2$/m.test((await sendRequest(port, 'GET', '/metrics')).body));
    const stopped = server.stop();
    await expect(sendRequest(port, 'GET', '/ping')).rejects.toThrow(/ECONNREFUSED/);
    sendRest();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toHaveLength(2);
    await stopped;
  });
});

describe('fuzzing the request parser', () => {
  const fuzz = seededRandom(5);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(fuzz() * values.length)]!;
  const keys = ['instances', 'configuration', 'k', 'positive', 'negative', 'pairs', 'source', 'king', ''];
  const shape = (depth: number): unknown => {
    switch (Math.floor(fuzz() * (depth > 3 ? 5 : 7))) {
      case 0:
        return null;
      case 1:
        return pick([0, -1, 1.5, 1e308, 2, 1001, true, false]);
      case 2:
        return pick(['king', '', 'queen woman', '\u0000', '\ud83d\ude00', '3', 'x'.repeat(300)]);
      case 3:
        return pick(['king', 'nowhere', 'ball goal']);
      case 4:
        return [];
      case 5:
        return Array.from({ length: Math.floor(fuzz() * 4) }, () => shape(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: Math.floor(fuzz() * 4) }, () => [pick(keys), shape(depth + 1)]));
    }
  };
  const body = (): Buffer => {
    const kind = fuzz();
    if (kind < 0.3) return Buffer.from(Array.from({ length: Math.floor(fuzz() * 64) }, () => Math.floor(fuzz() * 256)));
    const text = JSON.stringify(shape(0)) ?? '';
    if (kind < 0.4) return Buffer.from(text.slice(0, Math.floor(fuzz() * text.length)));
    if (kind < 0.55) return Buffer.from(`${text}\n${JSON.stringify(shape(1)) ?? ''}\n`);
    return Buffer.from(text);
  };

  it('answers random bodies with 200 or a 4xx JSON error, and keeps serving', async () => {
    const statuses = new Set<number>();
    for (const server of [vectorServer, classifierServer]) {
      for (let i = 0; i < 300; i++) {
        const answer = await sendRequest(server.port, pick(['POST', 'POST', 'POST', 'GET', 'PUT']), pick(['/invocations', '/most_similar', '/similarity', '/ping', '/x']), {
          headers: { 'content-type': pick(['application/json', 'application/jsonlines', 'application/json; charset=utf-8', 'text/plain']) },
          body: body(),
        });
        statuses.add(answer.status);
        expect(answer.status === 200 || (answer.status >= 400 && answer.status < 500), `${answer.status} ${answer.body}`).toBe(true);
        if (answer.status !== 200) expect(answer.body, `${answer.status}`).toMatch(/^\{"error":"/);
      }
      expect((await sendRequest(server.port, 'GET', '/ping')).status).toBe(200);
    }
    expect(statuses).toContain(200);
    expect(statuses).toContain(400);
  });
});
