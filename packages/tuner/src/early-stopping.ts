/**
 * The median stopping rule: stop a trial whose loss at step s is worse than the median of the losses completed trials
 * had at the same step. It acts only once at least `minCompletedTrials` completed trials reported step s.
 */
export function medianRuleStops(loss: number, referenceLosses: readonly number[], minCompletedTrials: number): boolean {
  if (referenceLosses.length < minCompletedTrials || referenceLosses.length === 0) return false;
  return loss > median(referenceLosses);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
