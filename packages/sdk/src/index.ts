export { runCli } from './run-cli.js';
export type { CliIo } from './cli-io.js';
export { metricLine } from './metric-line.js';
