import type { ResolvedConfig } from './config.js';

export type CompletionReason = 'TargetObjectiveReached' | 'BestObjectiveNotImproving' | 'ConvergenceDetected' | 'MaxTrials' | 'Exhausted';

/** Whether the tuner will suggest nothing more, and why. Trials already running may still be told. */
export interface CompletionStatus {
  readonly complete: boolean;
  readonly reason?: CompletionReason;
}

export interface CompletionInput {
  /** Losses (lower is better) of this tuner's trials with a value, in the order they finished. */
  readonly finishedLosses: readonly number[];
  /** The best loss before any trial: the warm-start parents' for IdenticalDataAndAlgorithm, else Infinity. */
  readonly baselineLoss: number;
  readonly trialsCreated: number;
  readonly exhausted: boolean;
  readonly converged: boolean;
}

/**
 * Criteria in order: the target reached by a trial; `maxNumberOfTrainingJobsNotImproving` trials finished in a row
 * without beating the best before them; the Bayesian model's convergence; maxTrials created; the strategy exhausted.
 * Once met, a criterion stays met.
 */
export function completionStatus(config: ResolvedConfig, input: CompletionInput): CompletionStatus {
  if (!config.multiObjective) {
    const sign = config.objectives[0]!.type === 'Minimize' ? 1 : -1;
    if (config.targetObjectiveMetricValue !== undefined) {
      const target = sign * config.targetObjectiveMetricValue;
      if (input.finishedLosses.some((loss) => loss <= target)) return { complete: true, reason: 'TargetObjectiveReached' };
    }
    if (config.maxTrialsNotImproving !== undefined && longestRunWithoutImprovement(input.finishedLosses, input.baselineLoss) >= config.maxTrialsNotImproving) {
      return { complete: true, reason: 'BestObjectiveNotImproving' };
    }
  }
  if (config.completeOnConvergence && input.converged) return { complete: true, reason: 'ConvergenceDetected' };
  if (input.trialsCreated >= config.maxTrials) return { complete: true, reason: 'MaxTrials' };
  if (input.exhausted) return { complete: true, reason: 'Exhausted' };
  return { complete: false };
}

function longestRunWithoutImprovement(losses: readonly number[], baseline: number): number {
  let best = baseline;
  let run = 0;
  let longest = 0;
  for (const loss of losses) {
    if (loss < best) {
      best = loss;
      run = 0;
    } else {
      longest = Math.max(longest, ++run);
    }
  }
  return longest;
}
