import { completionStatus, type CompletionStatus } from './completion.js';
import { resolveConfig, type ResolvedConfig, type TunerConfig } from './config.js';
import { medianRuleStops } from './early-stopping.js';
import { TrialStateError, TunerConfigError, TunerStateError } from './errors.js';
import { parameterImportance } from './importance.js';
import { Rng } from './math/random.js';
import type { Params } from './parameters.js';
import { paretoFrontIndices } from './pareto.js';
import { SearchSpace } from './search-space.js';
import { createStrategy } from './strategies/create-strategy.js';
import type { Observation, Strategy } from './strategies/strategy.js';
import { mapParentTrials } from './warm-start.js';

export type TrialStatus = 'running' | 'completed' | 'failed' | 'stopped';

/** What `tell` accepts: the objective value, one value per objective (multi-objective), or a failure. */
export type TrialOutcome = number | { readonly values: Readonly<Record<string, number>> } | { readonly failed: true; readonly reason?: string };

export interface Suggestion {
  readonly trialId: number;
  /** Tuned values, static hyperparameters and, with Hyperband, the resource (e.g. `epochs`). */
  readonly params: Params;
}

export interface Trial {
  readonly trialId: number;
  readonly params: Params;
  readonly status: TrialStatus;
  /** The objective value (single objective): told, or the last reported one when the trial was stopped. */
  readonly value?: number;
  /** Every objective's value (several objectives). */
  readonly values?: Readonly<Record<string, number>>;
  readonly intermediateValues: readonly { readonly step: number; readonly value: number }[];
  readonly failureReason?: string;
}

interface TrialRecord {
  id: number;
  params: Params;
  status: TrialStatus;
  /** Objective values in config order, as told (not sign-flipped). */
  values?: number[];
  intermediate: [step: number, value: number][];
  /** Order in which trials got a value or failed, for the not-improving criterion. */
  finished?: number;
  failureReason?: string;
}

/** Everything a tuner is, as plain JSON: `Tuner.fromJSON(JSON.parse(JSON.stringify(tuner)))` continues identically. */
export interface TunerState {
  readonly format: typeof STATE_FORMAT;
  readonly config: TunerConfig;
  readonly rng: readonly number[];
  readonly nextTrialId: number;
  readonly finishedCount: number;
  readonly trials: readonly TrialRecord[];
  readonly strategy: unknown;
}

const STATE_FORMAT = 'blazefleet-tuner/1';
const MIN_TRIALS_FOR_IMPORTANCE = 3;

/**
 * Ask/tell hyperparameter tuning. `ask()` suggests a trial, `tell()` gives its final objective value (or failure),
 * `report()` gives intermediate values and answers whether to stop the trial early. Pure and synchronous; the caller
 * persists `toJSON()` after every event and restores with `Tuner.fromJSON`.
 */
export class Tuner {
  private readonly config: ResolvedConfig;
  private readonly userConfig: TunerConfig;
  private readonly space: SearchSpace;
  private readonly parents: Observation[];
  private readonly baselineLoss: number;
  private rng: Rng;
  private strategy: Strategy;
  private records: TrialRecord[] = [];
  private nextTrialId = 0;
  private finishedCount = 0;

  constructor(config: TunerConfig) {
    this.config = resolveConfig(structuredClone(config), () => Math.floor(Math.random() * 2 ** 32));
    this.userConfig = { ...structuredClone(config), seed: this.config.seed };
    this.space = new SearchSpace(this.config.parameterRanges);
    const c = this.config;
    this.parents = c.warmStart ? mapParentTrials(c.warmStart, this.space, c.staticHyperParameters, c.objectives).observations : [];
    this.baselineLoss = c.warmStart?.type === 'IdenticalDataAndAlgorithm' && !c.multiObjective ? Math.min(...this.parents.map((o) => o.losses[0]!)) : Infinity;
    this.rng = Rng.fromSeed(c.seed);
    this.strategy = createStrategy(c, this.space, undefined, this.rng);
  }

  static fromJSON(state: TunerState): Tuner {
    if (state?.format !== STATE_FORMAT) throw new TunerStateError(`tuner state: expected format '${STATE_FORMAT}', got ${JSON.stringify(state?.format)}`);
    const tuner = new Tuner(state.config);
    tuner.rng = Rng.fromState(state.rng);
    tuner.strategy = createStrategy(tuner.config, tuner.space, state.strategy, tuner.rng);
    tuner.records = structuredClone(state.trials) as TrialRecord[];
    tuner.nextTrialId = state.nextTrialId;
    tuner.finishedCount = state.finishedCount;
    return tuner;
  }

  toJSON(): TunerState {
    return structuredClone({
      format: STATE_FORMAT,
      config: this.userConfig,
      rng: this.rng.state(),
      nextTrialId: this.nextTrialId,
      finishedCount: this.finishedCount,
      trials: this.records,
      strategy: this.strategy.state(),
    });
  }

  /** The next trial to run, or undefined once the tuner is complete (see `isComplete`). */
  ask(): Suggestion | undefined {
    if (this.isComplete().complete) return undefined;
    const trialId = this.nextTrialId;
    const tuned = this.strategy.suggest({
      trialId,
      observations: this.observations(),
      pending: this.records.filter((t) => t.status === 'running').map((t) => t.params),
      failed: this.records.filter((t) => t.status === 'failed').map((t) => t.params),
      rng: this.rng,
    });
    if (tuned === undefined) return undefined;
    const params = { ...this.config.staticHyperParameters, ...tuned } as Params;
    this.records.push({ id: trialId, params, status: 'running', intermediate: [] });
    this.nextTrialId++;
    return { trialId, params: { ...params } };
  }

  /** The final result of a running trial; for a stopped trial, a value replaces the one it was stopped with. */
  tell(trialId: number, outcome: TrialOutcome): void {
    const trial = this.record(trialId);
    if (trial.status === 'completed' || trial.status === 'failed') throw new TrialStateError(trialId, `already ${trial.status}`);
    if (typeof outcome === 'object' && outcome !== null && 'failed' in outcome && outcome.failed === true) {
      if (trial.status === 'stopped') return;
      trial.status = 'failed';
      if (outcome.reason !== undefined) trial.failureReason = String(outcome.reason);
    } else {
      trial.values = this.objectiveValues(trialId, outcome);
      if (trial.status === 'stopped') return;
      trial.status = 'completed';
    }
    trial.finished = this.finishedCount++;
  }

  /** An intermediate objective value at `step` (e.g. the epoch); true when the trial should stop now. */
  report(trialId: number, step: number, value: number): boolean {
    const trial = this.record(trialId);
    if (trial.status === 'stopped') return true;
    if (trial.status !== 'running') throw new TrialStateError(trialId, `cannot report to a ${trial.status} trial`);
    if (!Number.isFinite(step) || step < 0) throw new TrialStateError(trialId, `step must be a finite number >= 0, got ${step}`);
    if (!Number.isFinite(value)) throw new TrialStateError(trialId, `intermediate value must be finite, got ${value}`);
    const at = trial.intermediate.findIndex(([s]) => s === step);
    if (at >= 0) trial.intermediate[at] = [step, value];
    else trial.intermediate.push([step, value]);
    if (this.config.multiObjective) return false;
    const loss = this.loss(value, 0);
    let stop = false;
    if (this.strategy.report) {
      stop = this.strategy.report(trialId, step, loss);
    } else if (this.config.earlyStopping.type === 'Auto') {
      const references = this.records.flatMap((t) => {
        const point = t.status === 'completed' ? t.intermediate.find(([s]) => s === step) : undefined;
        return point ? [this.loss(point[1], 0)] : [];
      });
      stop = medianRuleStops(loss, references, this.config.earlyStopping.minCompletedTrials);
    }
    if (stop) {
      trial.status = 'stopped';
      trial.values = [value];
      trial.finished = this.finishedCount++;
    }
    return stop;
  }

  trials(): Trial[] {
    return this.records.map((t) => this.view(t));
  }

  /** The best trial with a value (single objective), the earliest among equals; undefined before any. */
  best(): Trial | undefined {
    if (this.config.multiObjective) throw new TunerStateError('best() needs a single objective; with several, use paretoFront()');
    let best: TrialRecord | undefined;
    for (const t of this.records) if (t.values && (!best || this.loss(t.values[0]!, 0) < this.loss(best.values![0]!, 0))) best = t;
    return best && this.view(best);
  }

  /** Trials with values that no other trial beats in every objective. */
  paretoFront(): Trial[] {
    const valued = this.records.filter((t) => t.values !== undefined);
    return paretoFrontIndices(valued.map((t) => this.losses(t.values!))).map((i) => this.view(valued[i]!));
  }

  isComplete(): CompletionStatus {
    const finished = this.records.filter((t) => t.values !== undefined).sort((a, b) => a.finished! - b.finished!);
    return completionStatus(this.config, {
      finishedLosses: this.config.multiObjective ? [] : finished.map((t) => this.loss(t.values![0]!, 0)),
      baselineLoss: this.baselineLoss,
      trialsCreated: this.nextTrialId,
      exhausted: this.strategy.isExhausted(),
      converged: this.strategy.hasConverged(),
    });
  }

  /** Normalized importance per tuned parameter (see `parameterImportance`), for the named or the first objective. */
  importance(objective?: string): Record<string, number> {
    const index = objective === undefined ? 0 : this.config.objectives.findIndex((o) => o.name === objective);
    if (index < 0) throw new TunerConfigError('objective', `one of ${this.config.objectives.map((o) => o.name).join(', ')}`, objective);
    const own = this.observations().slice(this.parents.length);
    if (own.length < MIN_TRIALS_FOR_IMPORTANCE) throw new TunerStateError(`importance needs at least ${MIN_TRIALS_FOR_IMPORTANCE} trials with a value, have ${own.length}`);
    return parameterImportance(this.space, own, index);
  }

  /** Warm-start parents, then this tuner's trials with a value, in trial order. */
  private observations(): Observation[] {
    const own = this.records.filter((t) => t.values !== undefined).map((t) => ({ params: t.params, losses: this.losses(t.values!) }));
    return [...this.parents, ...own];
  }

  private objectiveValues(trialId: number, outcome: TrialOutcome): number[] {
    const objectives = this.config.objectives;
    if (typeof outcome === 'number') {
      if (objectives.length > 1) throw new TrialStateError(trialId, `expected { values: { ${objectives.map((o) => o.name).join(', ')} } } with several objectives`);
      if (!Number.isFinite(outcome)) throw new TrialStateError(trialId, `objective value must be finite, got ${outcome}; tell { failed: true } instead`);
      return [outcome];
    }
    const values = (outcome as { values?: Record<string, unknown> }).values;
    if (typeof values !== 'object' || values === null) throw new TrialStateError(trialId, 'expected a number, { values } or { failed: true }');
    return objectives.map((o) => {
      const v = values[o.name];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TrialStateError(trialId, `values.${o.name} must be a finite number, got ${JSON.stringify(v)}`);
      return v;
    });
  }

  private loss(value: number, objective: number): number {
    return this.config.objectives[objective]!.type === 'Minimize' ? value : -value;
  }

  private losses(values: readonly number[]): number[] {
    return values.map((v, i) => this.loss(v, i));
  }

  private record(trialId: number): TrialRecord {
    const trial = this.records.find((t) => t.id === trialId);
    if (!trial) throw new TrialStateError(trialId, 'no such trial');
    return trial;
  }

  private view(t: TrialRecord): Trial {
    const multi = this.config.multiObjective;
    return {
      trialId: t.id,
      params: { ...t.params },
      status: t.status,
      ...(t.values && !multi ? { value: t.values[0]! } : {}),
      ...(t.values && multi ? { values: Object.fromEntries(this.config.objectives.map((o, i) => [o.name, t.values![i]!])) } : {}),
      intermediateValues: t.intermediate.map(([step, value]) => ({ step, value })),
      ...(t.failureReason !== undefined ? { failureReason: t.failureReason } : {}),
    };
  }
}
