import { describe, expect, it } from 'vitest';
import { expectedImprovement, maximizeExpectedImprovement, normalCdf, normalPdf, type AcquisitionSpace } from './acquisition.js';
import { GaussianProcess } from './gp.js';

describe('expected improvement', () => {
  it('uses an accurate normal distribution', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980, 8);
    expect(normalPdf(1)).toBeCloseTo(0.2419707245, 9);
  });

  it('is σ φ(0) at the incumbent, the gap far below it, and vanishes far above', () => {
    expect(expectedImprovement(1, 2, 1)).toBeCloseTo(2 * normalPdf(0), 9);
    expect(expectedImprovement(-10, 0.1, 0)).toBeCloseTo(10, 6);
    expect(expectedImprovement(10, 0.1, 0)).toBe(0);
  });

  it('finds the maximum of EI over a continuous dimension by candidates and refinement', () => {
    const gp = new GaussianProcess(1);
    gp.setData([0.1, 0.35, 0.5, 0.8, 0.95], [0.5, -0.2, 0.1, 0.9, 1.2], 5);
    gp.condition([Math.log(0.2), 0, Math.log(1e-4)]);
    const best = gp.minTrainingMean();
    const space: AcquisitionSpace = { featureDimensions: 1, continuousFeatures: Uint8Array.of(1), snapFeatures: () => {} };
    const candidates = Float64Array.from({ length: 8 }, (_, i) => i / 8);
    const out = new Float64Array(1);
    const found = maximizeExpectedImprovement(gp, best, space, candidates, 8, { refine: 3, maxEvaluations: 40 }, out);
    let bruteForce = 0;
    for (let k = 0; k <= 10000; k++) {
      gp.predict([k / 10000], 0);
      bruteForce = Math.max(bruteForce, expectedImprovement(gp.mean, Math.sqrt(gp.variance), best));
    }
    expect(found).toBeGreaterThan(bruteForce * 0.999);
    gp.predict(out, 0);
    expect(expectedImprovement(gp.mean, Math.sqrt(gp.variance), best)).toBeCloseTo(found, 12);
  });
});
