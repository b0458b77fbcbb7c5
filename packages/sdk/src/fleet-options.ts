import { readFile } from 'node:fs/promises';
import { InputDataError, UsageError } from '@blazefleet/core';
import type { ParsedArguments, OptionSpecs } from './arguments.js';
import { stringOption } from './arguments.js';
import type { CliIo } from './cli-io.js';
import type { TrainingJobsClient } from './training-jobs-client.js';
import type { TuningJobsClient } from './tuning-jobs-client.js';

/** Where the fleet is: options of every fleet command, defaulting to REDIS_URL and BLAZEFLEET_PREFIX. */
export const FLEET_OPTIONS: OptionSpecs = {
  'redis-url': { type: 'string', valueName: 'URL', description: "The fleet's Redis (default REDIS_URL, else redis://127.0.0.1:6379)." },
  prefix: { type: 'string', valueName: 'PREFIX', description: 'Redis key prefix of the fleet (default BLAZEFLEET_PREFIX, else blazefleet).' },
};

export const JSON_OPTION: OptionSpecs = {
  json: { type: 'boolean', description: 'Print JSON instead of text.' },
};

/** The one positional argument of `logs NAME`, `metrics NAME`, `stop NAME`. */
export function jobNameArgument(args: ParsedArguments, command: string): string {
  const [name, ...rest] = args.positionals;
  if (name === undefined) throw new UsageError(`${command} needs a job name: blazefleet ${command} NAME`);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  return name;
}

/** --redis-url and --prefix, where given (the rest comes from REDIS_URL, BLAZEFLEET_PREFIX or the defaults). */
export function fleetOverrides(args: ParsedArguments): { redisUrl?: string; prefix?: string } {
  const redisUrl = stringOption(args, 'redis-url');
  const prefix = stringOption(args, 'prefix');
  return { ...(redisUrl === undefined ? {} : { redisUrl }), ...(prefix === undefined ? {} : { prefix }) };
}

/** Resolves once the command is interrupted (SIGINT, SIGTERM): how services (worker, scheduler) wait to stop. */
export function untilInterrupted(io: CliIo): Promise<void> {
  return new Promise<void>((resolve) => {
    if (io.signal === undefined) return;
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The text of a job spec file, or of stdin for `-`; a missing or unreadable file is an InputDataError naming it. */
export async function readSpecFile(path: string, io: CliIo, what: 'training job spec' | 'tuning job spec'): Promise<string> {
  if (path === '-') {
    let text = '';
    for await (const chunk of io.stdin) text += chunk.toString();
    return text;
  }
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputDataError(path, error.code === 'ENOENT' ? `no such file (the ${what})` : `cannot read: ${error.message}`);
  });
}

/** A connected client (its module loads only when a fleet command runs), closed after `use`. */
export async function withClient<T>(args: ParsedArguments, use: (client: TrainingJobsClient) => Promise<T>): Promise<T> {
  const { TrainingJobsClient } = await import('./training-jobs-client.js');
  const backoff = process.env.BLAZEFLEET_RETRY_BACKOFF_MS;
  const client = await TrainingJobsClient.connect({ ...fleetOverrides(args), ...(backoff === undefined ? {} : { retryBackoffMs: Number(backoff) }) });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** withClient for tuning jobs. */
export async function withTuningClient<T>(args: ParsedArguments, use: (client: TuningJobsClient) => Promise<T>): Promise<T> {
  const { TuningJobsClient } = await import('./tuning-jobs-client.js');
  const client = await TuningJobsClient.connect(fleetOverrides(args));
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}
