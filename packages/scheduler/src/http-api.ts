import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BlazefleetError, SpecError, parseTrainingJobSpec, parseTuningJobSpec } from '@blazefleet/core';
import {
  JobAlreadyExistsError,
  JobNotFoundError,
  POOLS,
  describeTrainingJob,
  stopTrainingJob,
  submitTrainingJob,
  type TrainingJobStore,
  type TrainingQueues,
} from '@blazefleet/queue';
import { tuningAnalytics } from './tuning-analytics.js';
import type { TuningJobStore } from './tuning-job-store.js';

/** Largest request body read (a spec is a few kilobytes). */
const MAX_BODY_BYTES = 1 << 20;

export interface HttpApiOptions {
  /** Requests to every route but /healthz and /metrics need `Authorization: Bearer <token>`. */
  token: string;
  port: number;
  host?: string;
  tuning: TuningJobStore;
  training: TrainingJobStore;
  queues: TrainingQueues;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The scheduler's HTTP API (JSON): create, describe, list and stop training and tuning jobs, tuning analytics;
 * `/healthz`, and `/metrics` in Prometheus' text format (queue depth, jobs by status, trial durations).
 */
export async function startHttpApi(options: HttpApiOptions): Promise<Server> {
  const expected = Buffer.from(`Bearer ${options.token}`);
  const authorized = (request: IncomingMessage) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const server = createServer((request, response) => {
    void handle(options, request, response, authorized).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : statusOf(error);
      const details = error instanceof HttpError ? error.details : error instanceof SpecError ? { issues: error.issues } : {};
      send(response, status, { error: status === 500 ? 'internal error' : (error as Error).message, ...details });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return server;
}

function statusOf(error: unknown): number {
  if (error instanceof JobNotFoundError) return 404;
  if (error instanceof JobAlreadyExistsError) return 409;
  if (error instanceof BlazefleetError) return 400;
  return 500;
}

function send(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? `${JSON.stringify(body, null, 2)}\n` : String(body);
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `request body is not JSON: ${(error as Error).message}`);
  }
}

async function handle(options: HttpApiOptions, request: IncomingMessage, response: ServerResponse, authorized: (r: IncomingMessage) => boolean): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://api');
  const method = request.method ?? 'GET';
  const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (method === 'GET' && url.pathname === '/healthz') return send(response, 200, { status: 'ok' });
  if (method === 'GET' && url.pathname === '/metrics') return send(response, 200, await prometheusMetrics(options), 'text/plain; version=0.0.4');
  if (!authorized(request)) throw new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer <token>)');
  const [collection, name, action, ...rest] = parts;
  if (rest.length > 0) throw new HttpError(404, `no such route: ${method} ${url.pathname}`);
  const route = `${method} ${collection ?? ''}${name === undefined ? '' : '/:name'}${action === undefined ? '' : `/${action}`}`;
  const { tuning, training, queues } = options;
  switch (route) {
    case 'POST training-jobs': {
      const spec = parseTrainingJobSpec(await readJson(request));
      await submitTrainingJob(training, queues, spec);
      return send(response, 201, await describeTrainingJob(training, queues, spec.name));
    }
    case 'GET training-jobs':
      return send(response, 200, await training.list());
    case 'GET training-jobs/:name':
      return send(response, 200, await describeTrainingJob(training, queues, name!));
    case 'POST training-jobs/:name/stop':
      await stopTrainingJob(training, queues, name!);
      return send(response, 200, await training.describe(name!));
    case 'POST tuning-jobs': {
      const spec = parseTuningJobSpec(await readJson(request));
      await tuning.create(spec);
      return send(response, 201, await tuning.get(spec.name));
    }
    case 'GET tuning-jobs':
      return send(response, 200, await Promise.all((await tuning.names()).map(async (job) => withoutState(await tuning.get(job)))));
    case 'GET tuning-jobs/:name':
      return send(response, 200, withoutState(await tuning.get(name!)));
    case 'GET tuning-jobs/:name/analytics':
      return send(response, 200, await tuningAnalytics(await tuning.get(name!), training));
    case 'POST tuning-jobs/:name/stop':
      await tuning.requestStop(name!);
      return send(response, 200, withoutState(await tuning.get(name!)));
    default:
      throw new HttpError(404, `no such route: ${method} ${url.pathname}`);
  }
}

/** A tuning job without the tuner's internal state. */
function withoutState<T extends { tuner?: unknown }>(record: T): Omit<T, 'tuner'> {
  const { tuner: _state, ...rest } = record;
  return rest;
}

async function prometheusMetrics(options: HttpApiOptions): Promise<string> {
  const counts = await options.queues.counts();
  const jobs = await options.training.list();
  const lines: string[] = [
    '# HELP blazefleet_queue_jobs Training jobs in the queue of each pool, by state.',
    '# TYPE blazefleet_queue_jobs gauge',
  ];
  for (const pool of POOLS) {
    for (const state of ['waiting', 'active', 'delayed'] as const) lines.push(`blazefleet_queue_jobs{pool="${pool}",state="${state}"} ${counts[pool][state]}`);
  }
  const byStatus = new Map<string, number>();
  for (const job of jobs) byStatus.set(job.status, (byStatus.get(job.status) ?? 0) + 1);
  lines.push('# HELP blazefleet_training_jobs Training jobs by status.', '# TYPE blazefleet_training_jobs gauge');
  for (const status of ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']) lines.push(`blazefleet_training_jobs{status="${status}"} ${byStatus.get(status) ?? 0}`);
  lines.push('# HELP blazefleet_running_trials Training jobs running now.', '# TYPE blazefleet_running_trials gauge');
  lines.push(`blazefleet_running_trials ${jobs.filter((job) => job.status === 'InProgress' && job.secondaryStatus !== 'Pending').length}`);
  const buckets = [10, 30, 60, 300, 900, 3600, 14400];
  const durations = jobs.filter((job) => job.status === 'Completed').map((job) => job.billableSeconds);
  lines.push('# HELP blazefleet_trial_duration_seconds Billable seconds of completed training jobs.', '# TYPE blazefleet_trial_duration_seconds histogram');
  for (const bucket of buckets) lines.push(`blazefleet_trial_duration_seconds_bucket{le="${bucket}"} ${durations.filter((d) => d <= bucket).length}`);
  lines.push(`blazefleet_trial_duration_seconds_bucket{le="+Inf"} ${durations.length}`);
  lines.push(`blazefleet_trial_duration_seconds_sum ${durations.reduce((a, b) => a + b, 0)}`);
  lines.push(`blazefleet_trial_duration_seconds_count ${durations.length}`);
  return `${lines.join('\n')}\n`;
}
