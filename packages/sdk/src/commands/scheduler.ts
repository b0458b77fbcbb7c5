import { pino } from 'pino';
import { integerOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, fleetOverrides, untilInterrupted } from '../fleet-options.js';

const OPTIONS: OptionSpecs = {
  port: { type: 'string', valueName: 'PORT', description: 'Port of the HTTP API (default 7070); it runs only when BLAZEFLEET_API_TOKEN is set.' },
  host: { type: 'string', valueName: 'HOST', description: 'Address the HTTP API listens on (default 0.0.0.0).' },
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

async function scheduler(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: false });
  const { Scheduler } = await import('@blazefleet/scheduler');
  const { fleetLocation } = await import('@blazefleet/queue');
  const location = fleetLocation(process.env, fleetOverrides(args));
  const stdout = pino.destination({ dest: 1, sync: true });
  const log = pino({ base: { service: 'scheduler' } }, stdout);
  const token = process.env.BLAZEFLEET_API_TOKEN;
  const host = stringOption(args, 'host');
  const namespace = process.env.BLAZEFLEET_CLOUDWATCH_NAMESPACE;
  if (token === undefined || token === '') log.warn({}, 'no BLAZEFLEET_API_TOKEN: the HTTP API is off');
  const running = await Scheduler.start({
    ...location,
    log,
    ...(token ? { api: { token, port: integerOption(args, 'port', 0, 7070), ...(host === undefined ? {} : { host }) } } : {}),
    ...(process.env.BLAZEFLEET_LEASE_MS ? { leaseMs: Number(process.env.BLAZEFLEET_LEASE_MS) } : {}),
    ...(process.env.BLAZEFLEET_RETRY_BACKOFF_MS ? { retry: { backoffMs: Number(process.env.BLAZEFLEET_RETRY_BACKOFF_MS) } } : {}),
    ...(process.env.BLAZEFLEET_CLOUDWATCH_METRICS === '1'
      ? { cloudWatchMetrics: { write: (line: string) => stdout.write(line), ...(namespace ? { namespace } : {}) } }
      : {}),
  });
  await untilInterrupted(io);
  await running.stop();
  return 0;
}

export const schedulerCommand: Command = {
  name: 'scheduler',
  summary: 'Run the scheduler: drives tuning jobs (asks the tuner, submits trials, stops weak ones early); state in Redis.',
  usage: 'scheduler',
  options: OPTIONS,
  details: () =>
    'Several may run: a lease in Redis lets one drive each tuning job; a killed one is replaced after 15 s.\n' +
    'HTTP API (JSON, Authorization: Bearer $BLAZEFLEET_API_TOKEN): POST/GET /training-jobs, GET /training-jobs/NAME,\n' +
    'POST /training-jobs/NAME/stop, the same under /tuning-jobs, GET /tuning-jobs/NAME/analytics; open: /healthz, /metrics.\n' +
    'BLAZEFLEET_CLOUDWATCH_METRICS=1: every 60 s, the queue depths of each pool (QueueWaiting, QueueActive) as CloudWatch\n' +
    'Embedded Metric Format lines on stdout, namespace Blazefleet or BLAZEFLEET_CLOUDWATCH_NAMESPACE.',
  run: scheduler,
};
