import type { TrainingJobSpec } from '@blazefleet/core';

/** SageMaker's TrainingJobStatus. */
export type TrainingJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/** SageMaker's SecondaryStatus, as far as a Blazefleet job goes through them; Pending: queued, waiting for a worker. */
export type SecondaryStatus =
  | 'Pending'
  | 'Starting'
  | 'Downloading'
  | 'Training'
  | 'Uploading'
  | 'Stopping'
  | 'Completed'
  | 'Failed'
  | 'Stopped'
  | 'MaxRuntimeExceeded'
  | 'Interrupted'
  | 'Restarting';

export interface SecondaryStatusTransition {
  status: SecondaryStatus;
  /** ISO 8601. */
  startTime: string;
  endTime?: string;
  statusMessage: string;
}

export interface MetricRecord {
  name: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  epoch?: number;
  /** The host that reported it, for a job on several instances (algo-2...); the first host's metrics have none. */
  host?: string;
}

/** One instance of a job on several: its SageMaker host name, the worker that runs it and where its training listens. */
export interface JobHost {
  host: string;
  worker: string;
  address: string;
}

export interface FinalMetric {
  metricName: string;
  value: number;
  /** ISO 8601. */
  timestamp: string;
}

/** What `jobs describe --json` prints: SageMaker's DescribeTrainingJob, camelCased, plus Blazefleet's attempts and cost. */
export interface TrainingJobDescription {
  name: string;
  status: TrainingJobStatus;
  secondaryStatus: SecondaryStatus;
  secondaryStatusTransitions: SecondaryStatusTransition[];
  algorithm: TrainingJobSpec['algorithm'];
  hyperParameters: Record<string, string>;
  inputDataConfig: TrainingJobSpec['inputDataConfig'];
  outputPath: string;
  resourceConfig: TrainingJobSpec['resourceConfig'];
  pool: 'cpu' | 'gpu';
  creationTime: string;
  trainingStartTime?: string;
  trainingEndTime?: string;
  lastModifiedTime: string;
  finalMetrics: FinalMetric[];
  billableSeconds: number;
  /** Billable seconds x the instance type's hourly price, in dollars. */
  cost: number;
  modelArtifacts?: { s3ModelArtifacts: string };
  failureReason?: string;
  /** Why a Stopped job stopped: StopRequested or MaxRuntimeExceeded. */
  stopReason?: string;
  /** Attempts started so far (a retried or resumed job has several). */
  attempts: number;
  /** The worker running the current attempt (the first host's, for a job on several instances). */
  worker?: string;
  /** The hosts of the latest attempt of a job on several instances. */
  hosts?: JobHost[];
  /** The current attempt's latest progress, as its worker reported it. */
  progress?: TrainingProgressReport;
  tags: TrainingJobSpec['tags'];
  spec: TrainingJobSpec;
}

export interface TrainingProgressReport {
  /** 0..1 of the attempt's training (of its input bytes, for a batch transform). */
  fraction: number;
  epoch?: number;
  wordsPerSecond?: number;
  etaSeconds?: number;
  /** Lines answered so far by a batch transform. */
  lines?: number;
  linesPerSecond?: number;
}

export type TrainingJobSummary = Pick<
  TrainingJobDescription,
  'name' | 'status' | 'secondaryStatus' | 'creationTime' | 'trainingEndTime' | 'billableSeconds' | 'cost' | 'attempts'
> & { instanceType: string; inputUris: string[] };

export const TERMINAL_STATUSES: readonly TrainingJobStatus[] = ['Completed', 'Failed', 'Stopped'];

export function isTerminal(status: TrainingJobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
