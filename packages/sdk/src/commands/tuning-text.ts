import type { TrialAnalytics } from '@blazefleet/scheduler';
import { dollars, textTable } from '../text-table.js';
import type { TuningJobDescription } from '../tuning-jobs-client.js';

/** The analytics table: one row per trial, best first. */
export function analyticsTable(rows: TrialAnalytics[]): string {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.hyperParameters)))].sort();
  return textTable(
    ['TRAINING JOB', 'STATUS', 'OBJECTIVE', ...names, 'START', 'END', 'BILLABLE S', 'COST'],
    rows.map((row) => [
      row.trainingJobName,
      row.trainingJobStatus + (row.stoppedEarly ? ' (early)' : ''),
      row.finalObjectiveValue === undefined ? '' : row.finalObjectiveValue.toPrecision(6),
      ...names.map((name) => shortValue(row.hyperParameters[name])),
      row.trainingStartTime ?? '',
      row.trainingEndTime ?? '',
      String(row.billableSeconds),
      dollars(row.cost),
    ]),
  );
}

function shortValue(value: string | undefined): string {
  if (value === undefined) return '';
  const number = Number(value);
  return Number.isFinite(number) && !Number.isInteger(number) ? number.toPrecision(4) : value;
}

/** The same rows as CSV, every hyperparameter a column. */
export function analyticsCsv(rows: TrialAnalytics[]): string {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.hyperParameters)))].sort();
  const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const header = ['TrainingJobName', 'TrainingJobStatus', 'FinalObjectiveValue', ...names, 'TrainingStartTime', 'TrainingEndTime', 'BillableSeconds', 'Cost'];
  const lines = rows.map((row) =>
    [row.trainingJobName, row.trainingJobStatus, row.finalObjectiveValue === undefined ? '' : String(row.finalObjectiveValue),
      ...names.map((name) => row.hyperParameters[name] ?? ''), row.trainingStartTime ?? '', row.trainingEndTime ?? '', String(row.billableSeconds), String(row.cost)]
      .map(quote)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

export function describeTuningText(job: TuningJobDescription): string {
  const counters = Object.entries(job.trainingJobStatusCounters).map(([status, count]) => `${status} ${count}`).join(', ');
  const best = job.bestTrainingJob;
  return [
    `Name:              ${job.name}`,
    `Status:            ${job.status}${job.completionReason ? ` (${job.completionReason})` : ''}`,
    `Strategy:          ${job.strategy}`,
    `Objective:         ${job.objective.type} ${job.objective.metricName}`,
    `Limits:            ${job.resourceLimits.maxNumberOfTrainingJobs ?? 'grid'} training jobs, ${job.resourceLimits.maxParallelTrainingJobs} in parallel`,
    `Created:           ${job.creationTime}`,
    ...(job.endTime ? [`Ended:             ${job.endTime}`] : []),
    `Training jobs:     ${counters || 'none yet'}`,
    `Billable seconds:  ${job.billableSeconds}`,
    `Cost:              ${dollars(job.cost)}`,
    ...(best
      ? [
          `Best training job: ${best.trainingJobName} (${job.objective.metricName} = ${best.finalObjectiveValue})`,
          ...Object.entries(best.hyperParameters).map(([name, value]) => `  ${name} = ${value}`),
        ]
      : []),
  ].join('\n') + '\n';
}
