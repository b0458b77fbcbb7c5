// INTERFACE STUB (helper B implements): keep exported names and signatures.
/** Spearman's rank correlation: Pearson correlation of average ranks (ties share their mean rank). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  throw new Error('not implemented');
}
