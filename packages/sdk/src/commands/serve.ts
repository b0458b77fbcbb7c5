import { UsageError } from '@blazefleet/core';
import { pino } from 'pino';
import { integerOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { untilInterrupted } from '../fleet-options.js';
import { modelPathOption } from '../prediction-options.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const SERVE_OPTIONS: OptionSpecs = {
  model: {
    type: 'string',
    valueName: 'PATH|URI',
    description: 'Training output directory, model file (.bin, .txt), model.tar.gz, or an s3:// or file:// URI of a model.tar.gz. Required.',
  },
  port: { type: 'string', valueName: 'PORT', description: 'Port to listen on (default 8080, as SageMaker expects; 0 takes a free one).' },
  host: { type: 'string', valueName: 'HOST', description: 'Address to listen on (default 0.0.0.0).' },
  'log-level': { type: 'string', valueName: 'LEVEL', description: 'debug (a line per request), info, warn or error. Default: info.' },
  ...COMMON_OPTIONS,
};

function logLevelOption(value: string | undefined): (typeof LOG_LEVELS)[number] {
  if (value === undefined) return 'info';
  const level = LOG_LEVELS.find((known) => known === value);
  if (level === undefined) throw new UsageError(`--log-level: expected ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return level;
}

async function serve(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, SERVE_OPTIONS, { allowExtra: false, allowPositionals: false });
  const source = modelPathOption(args);
  const port = integerOption(args, 'port', 0, 8080);
  if (port > 65535) throw new UsageError(`--port: expected an integer from 0 to 65535, got ${port}`);
  const host = stringOption(args, 'host') ?? '0.0.0.0';
  const level = logLevelOption(stringOption(args, 'log-level'));
  const token = process.env.BLAZEFLEET_SERVE_TOKEN || undefined;

  const { ModelServer, loadServedModel } = await import('@blazefleet/model-server');
  const log = pino({ base: { service: 'model-server' }, level }, pino.destination({ dest: 1, sync: true }));
  const server = await ModelServer.start({ log, port, host, ...(token === undefined ? {} : { token }) });
  log.info({ host, port: server.port, token: token !== undefined }, 'listening');
  try {
    server.serve(await loadServedModel(source, { ...(io.signal === undefined ? {} : { signal: io.signal }) }));
    await untilInterrupted(io);
    log.info({}, 'stopping: finishing the requests in flight');
  } finally {
    await server.stop();
  }
  return 0;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve a model over HTTP on SageMaker\'s inference contract: word vectors, nearest neighbours, classification.',
  usage: 'serve --model DIR|model.tar.gz|s3://bucket/key/model.tar.gz|FILE [--port 8080] [--host 0.0.0.0] [--log-level info]',
  options: SERVE_OPTIONS,
  details: () =>
    'GET /ping: 200 once the model is loaded, 503 before. POST /invocations (application/json or application/jsonlines):\n' +
    '  word vectors: {"instances": ["word", ...]} -> [{"vector": [...], "word": "word"}, ...]\n' +
    '  classifier:   {"instances": ["text", ...], "configuration": {"k": 2}} -> [{"label": [...], "prob": [...]}, ...]\n' +
    'POST /most_similar {"positive": [...], "negative": [...], "k": 10}; POST /similarity {"pairs": [["a", "b"]]};\n' +
    'GET /metrics (Prometheus). BLAZEFLEET_SERVE_TOKEN: every route but /ping and /metrics needs\n' +
    '`Authorization: Bearer <token>`. AWS_ENDPOINT_URL_S3 points s3:// at an S3-compatible server.\n' +
    'SIGTERM or SIGINT: stops accepting connections, finishes the requests in flight, exits 0. Logs: JSON lines on stdout.',
  run: serve,
};
