export { startHttpApi, type HttpApiOptions } from './http-api.js';
export { queueDepthEmfLines, startQueueDepthMetrics, type QueueCounts, type QueueDepthMetricsOptions } from './queue-depth-metrics.js';
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export { tuningAnalytics, type TrialAnalytics } from './tuning-analytics.js';
export { driveTuningJob, tunerConfigOf, type TuningFleet } from './tuning-driver.js';
export { TuningJobStore, type TrialRecord, type TuningJobRecord, type TuningJobStatus } from './tuning-job-store.js';
