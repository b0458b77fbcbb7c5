import type { TrainingJobStore } from '@blazefleet/queue';
import type { TuningJobRecord } from './tuning-job-store.js';

/** One row of SageMaker's HyperparameterTuningJobAnalytics().dataframe(): a trial. */
export interface TrialAnalytics {
  trainingJobName: string;
  trainingJobStatus: string;
  /** The tuned hyperparameters. */
  hyperParameters: Record<string, string>;
  finalObjectiveValue?: number;
  trainingStartTime?: string;
  trainingEndTime?: string;
  billableSeconds: number;
  /** In dollars. */
  cost: number;
  stoppedEarly: boolean;
  failureReason?: string;
}

/** The trials of a tuning job, best first (those without an objective value last, in the order they ran). */
export async function tuningAnalytics(record: TuningJobRecord, training: TrainingJobStore): Promise<TrialAnalytics[]> {
  const rows: TrialAnalytics[] = [];
  for (const trial of record.trials) {
    const job = trial.state === 'planned' ? undefined : await training.describe(trial.trainingJobName).catch(() => undefined);
    const objective = trial.objective ?? job?.finalMetrics.find((m) => m.metricName === record.spec.objective.metricName)?.value;
    rows.push({
      trainingJobName: trial.trainingJobName,
      trainingJobStatus: job?.status ?? 'Pending',
      hyperParameters: trial.tunedHyperParameters,
      ...(objective === undefined ? {} : { finalObjectiveValue: objective }),
      ...(job?.trainingStartTime === undefined ? {} : { trainingStartTime: job.trainingStartTime }),
      ...(job?.trainingEndTime === undefined ? {} : { trainingEndTime: job.trainingEndTime }),
      billableSeconds: job?.billableSeconds ?? 0,
      cost: job?.cost ?? 0,
      stoppedEarly: trial.stoppedEarly,
      ...(job?.failureReason === undefined ? {} : { failureReason: job.failureReason }),
    });
  }
  const sign = record.spec.objective.type === 'Maximize' ? -1 : 1;
  const key = (row: TrialAnalytics) => (row.finalObjectiveValue === undefined ? Infinity : sign * row.finalObjectiveValue);
  return rows.map((row, order) => ({ row, order })).sort((a, b) => key(a.row) - key(b.row) || a.order - b.order).map(({ row }) => row);
}
