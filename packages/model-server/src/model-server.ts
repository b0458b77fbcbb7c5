import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { HttpError } from './http-error.js';
import { invocationAnswers, mostSimilarAnswer, similarityAnswer, wordVectorsOf } from './model-answers.js';
import { JSON_LINES_TYPE, JSON_TYPE, MAX_PAYLOAD_BYTES, answerFormat, bodyFormat, readBodyText } from './request-body.js';
import { parseInvocations, parseMostSimilar, parseSimilarity } from './requests.js';
import { closeServedModel, describeServedModel, type ServedModel } from './served-model.js';
import { ServerMetrics } from './server-metrics.js';

export interface ModelServerOptions {
  log: Logger;
  /** Default 8080 (SageMaker's); 0 takes a free port. */
  port?: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** When set, every route but /ping and /metrics needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest request body in bytes (default 6 MB, SageMaker's limit). */
  maxPayloadBytes?: number;
  /** How long stop() lets requests in flight finish before it closes their connections (default 30 s). */
  shutdownGraceMs?: number;
}

/** The routes, each with its one method. */
const ROUTES: Readonly<Record<string, 'GET' | 'POST'>> = {
  '/ping': 'GET',
  '/metrics': 'GET',
  '/execution-parameters': 'GET',
  '/invocations': 'POST',
  '/most_similar': 'POST',
  '/similarity': 'POST',
};
/** Routes open without the token: the health check and the metrics scrape. */
const OPEN_ROUTES = new Set(['/ping', '/metrics']);
const PROMETHEUS_TYPE = 'text/plain; version=0.0.4';
const LOGGED_PATH_CHARS = 200;
/** The longest answer of /invocations, in characters: it bounds how long one request holds the server. */
const MAX_ANSWER_LENGTH = 64 * 1024 * 1024;
/** How long a connection whose request body was refused unread may still send before it is closed. */
const LINGER_MS = 2000;

interface Answer {
  status: number;
  type: string;
  body: string;
  headers?: Readonly<Record<string, string>>;
  /** Why the request failed, for the log. */
  failure?: { message: string; cause?: unknown };
}

const json = (body: string, status = 200): Answer => ({ status, type: JSON_TYPE, body });

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * An inference server on SageMaker's container contract: `GET /ping` (200 once a model is served, 503 before) and
 * `POST /invocations`, plus `/most_similar` and `/similarity` for word vectors, `/execution-parameters` for batch
 * transform and `/metrics` for Prometheus. It listens from start(); serve() gives it its model.
 */
export class ModelServer {
  readonly #server: Server;
  readonly #log: Logger;
  readonly #metrics = new ServerMetrics();
  readonly #expectedToken: Buffer | undefined;
  readonly #maxPayloadBytes: number;
  readonly #shutdownGraceMs: number;
  #model: ServedModel | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(options: ModelServerOptions) {
    this.#log = options.log;
    // Digests of equal length, so that comparing them takes the same time whatever the token's length.
    this.#expectedToken = options.token ? sha256(`Bearer ${options.token}`) : undefined;
    this.#maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
    this.#shutdownGraceMs = options.shutdownGraceMs ?? 30_000;
    this.#server = createServer((request, response) => this.#onRequest(request, response));
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.#onClientError(error, socket));
  }

  static async start(options: ModelServerOptions): Promise<ModelServer> {
    const server = new ModelServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => {
        server.#server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  /** The port listened on (the one taken, when started with 0). */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Starts answering with `model`; stop() closes it. */
  serve(model: ServedModel): void {
    this.#model = model;
    this.#metrics.modelLoaded = true;
    this.#log.info(describeServedModel(model), 'model loaded');
  }

  /**
   * Stops accepting connections, lets requests in flight finish (their answers close their connections), closes
   * idle connections, and after the grace period any left; then closes the model.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const deadline = setTimeout(() => this.#server.closeAllConnections(), this.#shutdownGraceMs);
    await closed;
    clearTimeout(deadline);
    if (this.#model !== undefined) await closeServedModel(this.#model);
    this.#log.info({}, 'stopped');
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const route = Object.hasOwn(ROUTES, path) ? path : undefined;
    this.#metrics.inFlight++;
    void this.#answer(request, path, route)
      .catch((error: unknown) => this.#errorAnswer(error))
      .then((answer) => {
        this.#metrics.inFlight--;
        this.#send(request, response, answer);
        const seconds = (performance.now() - started) / 1000;
        this.#metrics.record(route ?? 'unknown', answer.status, seconds);
        this.#logRequest(request, route ?? path.slice(0, LOGGED_PATH_CHARS), answer, seconds);
      })
      .catch((error: unknown) => this.#log.error({ err: error }, 'cannot answer'));
  }

  async #answer(request: IncomingMessage, path: string, route: string | undefined): Promise<Answer> {
    const open = route !== undefined && OPEN_ROUTES.has(route);
    if (!open && !this.#authorized(request)) {
      throw new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer <token>)', { 'www-authenticate': 'Bearer' });
    }
    if (route === undefined) throw new HttpError(404, `no such route: ${path.slice(0, LOGGED_PATH_CHARS)} (routes: ${Object.keys(ROUTES).join(', ')})`);
    const method = ROUTES[route]!;
    if (request.method !== method) throw new HttpError(405, `${route} takes ${method}, not ${request.method}`, { allow: method });
    if (route === '/metrics') return { status: 200, type: PROMETHEUS_TYPE, body: this.#metrics.text() };
    const model = this.#model;
    if (model === undefined) throw new HttpError(503, 'the model is still loading', { 'retry-after': '1' });
    switch (route) {
      case '/ping':
        return json('{"status":"ready"}');
      case '/execution-parameters':
        return json(JSON.stringify({ MaxConcurrentTransforms: availableParallelism(), BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: Math.floor(this.#maxPayloadBytes / 2 ** 20) }));
      case '/invocations': {
        const format = bodyFormat(request, ['json', 'jsonlines']);
        const answerIn = answerFormat(request, format);
        const invocations = parseInvocations(await readBodyText(request, this.#maxPayloadBytes), format);
        const answers = invocationAnswers(model, invocations, MAX_ANSWER_LENGTH);
        if (answerIn === 'json') return json(`[${answers.join(',')}]`);
        return { status: 200, type: JSON_LINES_TYPE, body: answers.map((answer) => `${answer}\n`).join('') };
      }
      case '/most_similar': {
        const served = wordVectorsOf(model, route);
        bodyFormat(request, ['json']);
        return json(await mostSimilarAnswer(served, parseMostSimilar(await readBodyText(request, this.#maxPayloadBytes))));
      }
      default: {
        const served = wordVectorsOf(model, route);
        bodyFormat(request, ['json']);
        return json(similarityAnswer(served, parseSimilarity(await readBodyText(request, this.#maxPayloadBytes))));
      }
    }
  }

  /** Bytes that are no HTTP request reach no route: they get a 400 (431 for oversized headers) and a closed connection. */
  #onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, reason] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({ error: `malformed HTTP request (${error.code ?? error.message})` });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    this.#metrics.record('unknown', status, 0);
    this.#log.warn({ status, error: error.code ?? error.message }, 'malformed request');
  }

  #authorized(request: IncomingMessage): boolean {
    if (this.#expectedToken === undefined) return true;
    return timingSafeEqual(sha256(request.headers.authorization ?? ''), this.#expectedToken);
  }

  #errorAnswer(error: unknown): Answer {
    const known = error instanceof HttpError;
    const message = known ? error.message : `internal error: ${(error as Error).message}`;
    return {
      ...json(JSON.stringify({ error: message }), known ? error.status : 500),
      headers: known ? error.headers : {},
      failure: known ? { message } : { message, cause: error },
    };
  }

  #send(request: IncomingMessage, response: ServerResponse, answer: Answer): void {
    if (response.destroyed) return;
    const headers: Record<string, string | number> = { 'content-type': answer.type, 'content-length': Buffer.byteLength(answer.body), ...answer.headers };
    if (answer.status === 413) closeAfterAnswer(request, response);
    // Once stopping, answers close their connections so that the server can close.
    else if (this.#stopping !== undefined) headers.connection = 'close';
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  }

  #logRequest(request: IncomingMessage, route: string, answer: Answer, seconds: number): void {
    const fields = { method: request.method, route, status: answer.status, ms: Math.round(seconds * 1e6) / 1e3 };
    const { failure } = answer;
    // A 503 while the model loads is the answer health checks expect, not a failure.
    if (failure === undefined || answer.status === 503) this.#log.debug(fields, 'request');
    else if (failure.cause !== undefined) this.#log.error({ ...fields, err: failure.cause }, 'request failed');
    else this.#log.warn({ ...fields, error: failure.message }, 'request refused');
  }
}

/**
 * Closes the connection of an answer sent before its request's body ended, in stages (RFC 9112, section 9.6):
 * closing at once, with the client's bytes unread, makes the kernel reset the connection, which can discard the
 * answer before the client reads it. So the server half-closes, discards what still comes (nothing is kept), and
 * closes when the client does or after LINGER_MS.
 */
function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket;
  let lingering = false;
  const linger = (): void => {
    if (lingering) return;
    lingering = true;
    socket.end();
    request.resume();
    socket.once('end', () => socket.destroy());
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(timer));
  };
  // Node ends a connection after its last answer with destroySoon(), which resets it when bytes are unread.
  socket.destroySoon = linger;
  response.once('finish', linger);
}
