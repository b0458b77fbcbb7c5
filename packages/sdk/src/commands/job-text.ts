import type { TrainingJobDescription } from '@blazefleet/queue';
import { dollars } from '../text-table.js';

/** `jobs describe` as text: what SageMaker's console shows of a training job. */
export function describeJobText(job: TrainingJobDescription): string {
  const lines = [
    `Name:               ${job.name}`,
    `Status:             ${job.status} (${job.secondaryStatus})`,
    `Algorithm:          ${typeof job.algorithm === 'string' ? job.algorithm : `command: ${job.algorithm.command.join(' ')}`}`,
    `Instance:           ${job.resourceConfig.instanceType} x ${job.resourceConfig.instanceCount} (${job.pool} pool)`,
    `Created:            ${job.creationTime}`,
    ...(job.trainingStartTime ? [`Training started:   ${job.trainingStartTime}`] : []),
    ...(job.trainingEndTime ? [`Training ended:     ${job.trainingEndTime}`] : []),
    `Attempts:           ${job.attempts}${job.worker ? ` (running on ${job.worker})` : ''}`,
    ...(job.hosts ? ['Hosts:', ...job.hosts.map((h) => `  ${h.host}  ${h.worker}  ${h.address}`)] : []),
    `Billable seconds:   ${job.billableSeconds}`,
    `Cost:               ${dollars(job.cost)}`,
    ...(job.modelArtifacts ? [`Model artifacts:    ${job.modelArtifacts.s3ModelArtifacts}`] : []),
    ...(job.failureReason ? [`Failure reason:     ${job.failureReason}`] : []),
    ...(job.stopReason ? [`Stop reason:        ${job.stopReason}`] : []),
    'Hyperparameters:',
    ...Object.entries(job.hyperParameters).map(([name, value]) => `  ${name} = ${value}`),
    'Input:',
    ...job.inputDataConfig.map((channel) => `  ${channel.channelName}: ${channel.uri}`),
    `Output:             ${job.outputPath}`,
    'Secondary status transitions:',
    ...job.secondaryStatusTransitions.map((t) => `  ${t.startTime}  ${t.status.padEnd(18)} ${t.statusMessage}`),
  ];
  if (job.finalMetrics.length > 0) lines.push('Final metrics:', ...job.finalMetrics.map((m) => `  ${m.metricName} = ${m.value}`));
  return `${lines.join('\n')}\n`;
}

/** One line of a job's progress: `[#####-----]  48% epoch 3 1,203,000 words/s ETA 31 s`, or `... 48% 52,000 lines 9,800 lines/s ...`. */
export function progressLine(job: TrainingJobDescription): string | undefined {
  const progress = job.progress;
  if (progress === undefined) return undefined;
  const width = 20;
  const done = Math.round(Math.min(1, Math.max(0, progress.fraction)) * width);
  return (
    `[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${String(Math.round(progress.fraction * 100)).padStart(3)}%` +
    (progress.epoch === undefined ? '' : ` epoch ${progress.epoch}`) +
    (progress.wordsPerSecond === undefined ? '' : ` ${Math.round(progress.wordsPerSecond).toLocaleString('en-US')} words/s`) +
    (progress.lines === undefined ? '' : ` ${progress.lines.toLocaleString('en-US')} lines`) +
    (progress.linesPerSecond === undefined ? '' : ` ${Math.round(progress.linesPerSecond).toLocaleString('en-US')} lines/s`) +
    (progress.etaSeconds === undefined ? '' : ` ETA ${Math.round(progress.etaSeconds)} s`)
  );
}
