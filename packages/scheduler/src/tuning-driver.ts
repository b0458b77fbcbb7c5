import { randomBytes } from 'node:crypto';
import { trainingJobSpecForTrial, trialJobName, type TuningJobSpec } from '@blazefleet/core';
import {
  JobAlreadyExistsError,
  isTerminal,
  stopTrainingJob,
  submitTrainingJob,
  type RetryTiming,
  type TrainingJobStore,
  type TrainingQueues,
} from '@blazefleet/queue';
import { CategoricalParameter, ContinuousParameter, IntegerParameter, Tuner, type ParameterRange, type ParentTrial, type TunerConfig } from '@blazefleet/tuner';
import type { TrialRecord, TuningJobRecord, TuningJobStore } from './tuning-job-store.js';

export interface TuningFleet {
  tuning: TuningJobStore;
  training: TrainingJobStore;
  queues: TrainingQueues;
  retry?: RetryTiming;
}

/** The tuner's config for a tuning job spec; warm start from the trials of its parent tuning jobs. */
export function tunerConfigOf(spec: TuningJobSpec, parentTrials: ParentTrial[] = []): TunerConfig {
  const ranges: Record<string, ParameterRange> = {};
  const { integerParameterRanges = [], continuousParameterRanges = [], categoricalParameterRanges = [] } = spec.parameterRanges;
  for (const r of integerParameterRanges) ranges[r.name] = IntegerParameter(r.minValue, r.maxValue, r.scalingType);
  for (const r of continuousParameterRanges) ranges[r.name] = ContinuousParameter(r.minValue, r.maxValue, r.scalingType);
  for (const r of categoricalParameterRanges) ranges[r.name] = CategoricalParameter([...r.values]);
  const hyperband = spec.strategyConfig?.hyperbandStrategyConfig;
  return {
    parameterRanges: ranges,
    objective: spec.objective.type,
    strategy: spec.strategy,
    ...(hyperband === undefined ? {} : { strategyConfig: { hyperbandStrategyConfig: { ...hyperband, resourceName: 'epochs' } } }),
    ...(spec.resourceLimits.maxNumberOfTrainingJobs === undefined ? {} : { maxTrials: spec.resourceLimits.maxNumberOfTrainingJobs }),
    ...(spec.randomSeed === undefined ? {} : { seed: spec.randomSeed }),
    earlyStopping: { type: spec.trainingJobEarlyStoppingType },
    ...(spec.completionCriteria === undefined ? {} : { completionCriteria: spec.completionCriteria }),
    ...(spec.warmStartConfig === undefined || parentTrials.length === 0
      ? {}
      : { warmStart: { type: spec.warmStartConfig.warmStartType, parentTrials } }),
  };
}

/**
 * One step of driving a tuning job: reports the trials' per-epoch objective values to the tuner (which may stop them
 * early), tells it the outcome of the trials that ended, stops the job when asked or out of time, and keeps
 * maxParallelTrainingJobs trials running with the tuner's next suggestions. Every change is saved with the tuner's
 * state, fenced by the scheduler's lease; a trial is recorded before its training job is submitted, so a scheduler
 * that dies at any point leaves a state from which the next one neither loses nor duplicates a trial.
 * Returns false when the lease was lost (another scheduler drives the job now).
 */
export async function driveTuningJob(fleet: TuningFleet, record: TuningJobRecord, owner: string, parentTrials: () => Promise<ParentTrial[]>): Promise<boolean> {
  const { spec } = record;
  const tuner = record.tuner === undefined ? new Tuner(tunerConfigOf(spec, await parentTrials())) : Tuner.fromJSON(record.tuner);
  const changed = new Map<number, TrialRecord>();
  const change = (trial: TrialRecord) => changed.set(trial.trialId, trial);
  const save = (fields: Record<string, string> = {}, done = false) =>
    fleet.tuning.save(spec.name, owner, { tuner: tuner.toJSON(), trials: [...changed.values()], fields, done });

  // Trials recorded by a scheduler that died before submitting them.
  for (const trial of record.trials.filter((t) => t.state === 'planned')) {
    await submitTrial(fleet, spec, trial);
    change({ ...trial, state: 'running' });
  }

  const metricName = spec.objective.metricName;
  const earlyStopping = spec.trainingJobEarlyStoppingType === 'Auto' || spec.strategy === 'Hyperband';
  let running = 0;
  const current = (trial: TrialRecord): TrialRecord => changed.get(trial.trialId) ?? trial;
  for (const original of record.trials.filter((t) => t.state !== 'done')) {
    const trial = { ...current(original) };
    const job = await fleet.training.describe(trial.trainingJobName);
    if (earlyStopping && !trial.stoppedEarly) {
      const series = (await fleet.training.readMetrics(trial.trainingJobName)).filter(
        (m) => m.name === metricName && m.epoch !== undefined && m.epoch > trial.reportedEpochs,
      );
      for (const metric of series) {
        trial.reportedEpochs = metric.epoch!;
        change(trial);
        if (tuner.report(trial.trialId, metric.epoch!, metric.value) && !isTerminal(job.status)) {
          trial.stoppedEarly = true;
          await stopTrainingJob(fleet.training, fleet.queues, trial.trainingJobName);
          break;
        }
      }
    }
    if (!isTerminal(job.status)) {
      running++;
      continue;
    }
    const objective = job.finalMetrics.find((m) => m.metricName === metricName)?.value;
    if (objective !== undefined && Number.isFinite(objective)) tuner.tell(trial.trialId, objective);
    else tuner.tell(trial.trialId, { failed: true, reason: job.failureReason ?? `${job.status} without ${metricName}` });
    change({
      ...trial,
      state: 'done',
      status: job.status,
      ...(objective === undefined ? {} : { objective }),
      ...(job.failureReason === undefined ? {} : { failureReason: job.failureReason }),
    });
  }

  const maxRuntime = spec.resourceLimits.maxRuntimeInSeconds;
  const outOfTime = maxRuntime !== undefined && Date.now() - Date.parse(record.creationTime) > maxRuntime * 1000;
  const completion = tuner.isComplete();
  if (record.stopRequested || outOfTime || completion.complete) {
    if (record.stopRequested || outOfTime) {
      for (const trial of record.trials.map(current).filter((t) => t.state === 'running')) {
        await stopTrainingJob(fleet.training, fleet.queues, trial.trainingJobName);
      }
    }
    if (running > 0) return save();
    const status = record.stopRequested ? 'Stopped' : 'Completed';
    const reason = record.stopRequested ? 'StopRequested' : outOfTime ? 'MaxRuntimeExceeded' : (completion.reason ?? 'MaxNumberOfTrainingJobs');
    return save({ status, ended: String(Date.now()), completionReason: reason }, true);
  }

  let trialsCreated = record.trialsCreated;
  const planned: TrialRecord[] = [];
  while (running + planned.length < spec.resourceLimits.maxParallelTrainingJobs) {
    const suggestion = tuner.ask();
    if (suggestion === undefined) break;
    trialsCreated++;
    const trial: TrialRecord = {
      trialId: suggestion.trialId,
      index: trialsCreated,
      trainingJobName: trialJobName(spec.name, trialsCreated, randomBytes(4).toString('hex')),
      // As SageMaker passes hyperparameters: strings (integers print without a decimal point).
      tunedHyperParameters: Object.fromEntries(Object.entries(suggestion.params).map(([name, value]) => [name, String(value)])),
      state: 'planned',
      reportedEpochs: 0,
      stoppedEarly: false,
    };
    planned.push(trial);
    change(trial);
  }
  if (!(await save({ trialsCreated: String(trialsCreated) }))) return false;
  for (const trial of planned) {
    await submitTrial(fleet, spec, trial);
    change({ ...trial, state: 'running' });
  }
  return planned.length === 0 ? true : save();
}

async function submitTrial(fleet: TuningFleet, spec: TuningJobSpec, trial: TrialRecord): Promise<void> {
  try {
    await submitTrainingJob(fleet.training, fleet.queues, trainingJobSpecForTrial(spec, trial.trainingJobName, trial.tunedHyperParameters), fleet.retry);
  } catch (error) {
    // Submitted before the scheduler that planned it died.
    if (!(error instanceof JobAlreadyExistsError)) throw error;
  }
}
