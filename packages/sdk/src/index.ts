export { runCli } from './run-cli.js';
export type { CliIo } from './cli-io.js';
export { metricLine } from './metric-line.js';
export { TrainingJobsClient, type TrainingJobsClientOptions } from './training-jobs-client.js';
export { TuningJobsClient, type TuningJobDescription } from './tuning-jobs-client.js';
