export { runTrial, type TrialEvents, type TrialOptions, type TrialProgress, type TrialResult } from './run-trial.js';
export type { SecondaryStatus, SecondaryStatusTransition } from './secondary-status.js';
export type { FinalMetric, TrialMetric } from './trial-metrics.js';
export type { StopReason } from './trial-stop.js';
export { TrialOptionsError } from './errors.js';
export type { TrialHost } from './trial-directory.js';
export { runBlazingTextAlgorithm, type BlazingTextTrainers } from './blazingtext-algorithm.js';
export { printEvent } from './trial-script.js';
