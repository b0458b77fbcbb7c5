export { FleetConnectionError, JobAlreadyExistsError, JobNotFoundError } from './errors.js';
export { FleetKeys } from './fleet-keys.js';
export { GangStore, type Gang, type GangState } from './gang-store.js';
export { releaseLease, takeLease } from './redis-lease.js';
export { DEFAULT_PREFIX, DEFAULT_REDIS_URL, connectRedis, fleetLocation, redactedUrl, type FleetLocation } from './redis-connection.js';
export {
  isTerminal,
  TERMINAL_STATUSES,
  type FinalMetric,
  type JobHost,
  type MetricRecord,
  type SecondaryStatus,
  type SecondaryStatusTransition,
  type TrainingJobDescription,
  type TrainingJobStatus,
  type TrainingJobSummary,
  type TrainingProgressReport,
} from './training-job-record.js';
export { LOG_LINES_KEPT, METRICS_KEPT, TrainingJobStore, type AttemptEnd, type AttemptOutcome, type LogEntry, type StartedAttempt } from './training-job-store.js';
export { describeTrainingJob, stopTrainingJob, submitTrainingJob } from './training-job-control.js';
export {
  HOST_ENTRY,
  POOLS,
  TRAIN_ENTRY,
  TrainingQueues,
  createTrainingWorker,
  requeue,
  trainingQueueName,
  type RetryTiming,
  type TrainingJobPayload,
  type TrainingQueueJob,
  type TrainingWorkerOptions,
} from './training-queues.js';
