import { readFile } from 'node:fs/promises';
import { describeInstanceType, InputDataError, parsePriceTable, UsageError, type InstancePool } from '@blazefleet/core';
import { pino } from 'pino';
import { integerOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, fleetOverrides, untilInterrupted } from '../fleet-options.js';

const OPTIONS: OptionSpecs = {
  pool: {
    type: 'string',
    valueName: 'cpu|gpu',
    description: 'The pool whose jobs this worker takes: cpu, or gpu (jobs of ml.p* and ml.g* instance types, trained on TensorFlow.js tensors). Required.',
  },
  'instance-type': { type: 'string', valueName: 'TYPE', description: "This host's instance type, for the cost of its trials (default: what each job asks for)." },
  concurrency: { type: 'string', valueName: 'N', description: 'Trials at once (default 1 for cpu: one trial uses all its threads; for gpu, one per GPU).' },
  'work-dir': { type: 'string', valueName: 'DIR', description: 'Where trial directories are made and removed (default: the system temporary directory).' },
  'host-address': {
    type: 'string',
    valueName: 'IP[:PORT]',
    description: 'Where the other workers reach this one for jobs on several instances (default BLAZEFLEET_HOST_ADDRESS, else the first non-loopback IPv4 address and a free port).',
  },
  'gang-timeout': {
    type: 'string',
    valueName: 'SECONDS',
    description: 'How long a job on several instances waits for all its workers before it fails with CapacityError (default BLAZEFLEET_GANG_TIMEOUT_SECONDS, else 600).',
  },
  'price-table': {
    type: 'string',
    valueName: 'FILE',
    description: 'JSON of $/hour by instance type, e.g. {"ml.c5.2xlarge": 0.35}, over the AWS on-demand defaults (also BLAZEFLEET_PRICE_TABLE).',
  },
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

async function worker(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: false });
  const pool = stringOption(args, 'pool');
  if (pool !== 'cpu' && pool !== 'gpu') throw new UsageError(`--pool: expected cpu or gpu, got ${JSON.stringify(pool ?? '')}`);
  const instanceType = stringOption(args, 'instance-type');
  if (instanceType !== undefined) describeInstanceType(instanceType);
  const workDir = stringOption(args, 'work-dir');
  const hostAddress = stringOption(args, 'host-address') ?? process.env.BLAZEFLEET_HOST_ADDRESS;
  const gangTimeout = stringOption(args, 'gang-timeout') ?? process.env.BLAZEFLEET_GANG_TIMEOUT_SECONDS;
  const gangTimeoutSeconds = gangTimeout === undefined ? undefined : Number(gangTimeout);
  if (gangTimeoutSeconds !== undefined && !(Number.isFinite(gangTimeoutSeconds) && gangTimeoutSeconds > 0)) {
    throw new UsageError(`--gang-timeout: expected a number of seconds > 0, got ${JSON.stringify(gangTimeout)}`);
  }
  const priceTableFile = stringOption(args, 'price-table') ?? process.env.BLAZEFLEET_PRICE_TABLE;
  const priceTable =
    priceTableFile === undefined
      ? undefined
      : parsePriceTable(
          await readFile(priceTableFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
            throw new InputDataError(priceTableFile, `cannot read the price table: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
          }),
        );
  const { fleetLocation } = await import('@blazefleet/queue');
  const location = fleetLocation(process.env, fleetOverrides(args));
  const log = pino({ base: { pool } }, pino.destination({ dest: 1, sync: true }));
  const concurrency = args.options.concurrency === undefined ? undefined : integerOption(args, 'concurrency', 1, 1);
  const options = {
    ...location,
    log,
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(instanceType === undefined ? {} : { instanceType }),
    ...(workDir === undefined ? {} : { workRoot: workDir }),
    ...(hostAddress === undefined ? {} : { hostAddress }),
    ...(gangTimeoutSeconds === undefined ? {} : { gangTimeoutMs: gangTimeoutSeconds * 1000 }),
    ...(priceTable === undefined ? {} : { priceTable }),
    ...(process.env.BLAZEFLEET_LOCK_DURATION_MS ? { lockDurationMs: Number(process.env.BLAZEFLEET_LOCK_DURATION_MS) } : {}),
    ...(process.env.BLAZEFLEET_STALLED_INTERVAL_MS ? { stalledIntervalMs: Number(process.env.BLAZEFLEET_STALLED_INTERVAL_MS) } : {}),
  };
  const running =
    pool === 'gpu'
      ? await (await import('@blazefleet/worker-gpu')).startGpuWorker(options)
      : await (await import('@blazefleet/worker-cpu')).TrainingWorker.start({ ...options, pool: 'cpu' as InstancePool });
  await untilInterrupted(io);
  log.info({}, 'shutting down: running trials go back to the queue');
  await running.shutdown();
  return 0;
}

export const workerCommand: Command = {
  name: 'worker',
  summary: "Run a fleet worker: takes its pool's training jobs from the queue and runs each attempt as a trial.",
  usage: 'worker --pool cpu|gpu [--instance-type ml.c5.2xlarge] [--concurrency N] [--work-dir DIR]',
  options: OPTIONS,
  details: () =>
    'SIGTERM or SIGINT: the worker takes no more jobs, stops its trials (they checkpoint) and hands them back to the\n' +
    'queue, then exits. A worker killed outright loses its jobs to the other workers once its lock expires.\n' +
    'A job with resourceConfig.instanceCount N > 1 (batch_skipgram) starts when N workers of its pool are free: the\n' +
    'worker that takes it waits for N - 1 others (its status says how many are missing), all start together, and if\n' +
    'one host is lost the whole job is retried. Workers reach each other at --host-address.',
  run: worker,
};
