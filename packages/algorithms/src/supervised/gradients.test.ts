import { describe, expect, it } from 'vitest';
import { KERNEL_LOSSES } from '../kernels/kernel-module.js';
import { MemoryPlan, fillActivationTables, paddedStride, takeActivationTables } from '../kernels/shared-memory.js';
import { seededRandom } from '../testing/seeded-random.js';
import { buildLabelTree } from './label-tree.js';

// One kernel update on a tiny model, against the gradient of the loss taken numerically (central differences in
// double precision): every weight must move by -learningRate x dLoss/dweight. The kernels read sigmoid from
// fastText's 512-entry table, so logistic losses match to the table's resolution; softmax uses exp and matches closely.
const DIM = 6;
const LABELS = 3;
const INPUT_ROWS = 5;
const FEATURES = Int32Array.of(0, 2, 4);
const TARGET = 1;
const LR = 0.1;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function hidden(input: Float64Array): Float64Array {
  const h = new Float64Array(DIM);
  for (const row of FEATURES) for (let d = 0; d < DIM; d++) h[d]! += input[row * DIM + d]! / FEATURES.length;
  return h;
}
const score = (h: Float64Array, output: Float64Array, row: number) => {
  let s = 0;
  for (let d = 0; d < DIM; d++) s += h[d]! * output[row * DIM + d]!;
  return s;
};

const tree = buildLabelTree(Float64Array.of(5, 3, 2));
const losses: Record<'softmax' | 'ns' | 'hs', (input: Float64Array, output: Float64Array) => number> = {
  softmax: (input, output) => {
    const h = hidden(input);
    const scores = Array.from({ length: LABELS }, (_, j) => score(h, output, j));
    const max = Math.max(...scores);
    const sum = scores.reduce((a, s) => a + Math.exp(s - max), 0);
    return -(scores[TARGET]! - max - Math.log(sum));
  },
  // With one negative sample and labels {0, 1, 2} the kernel's table gives some label other than the target;
  // the test reads which from the output rows that moved.
  ns: () => 0,
  hs: (input, output) => {
    const h = hidden(input);
    let loss = 0;
    for (let i = tree.pathOffsets[TARGET]!; i < tree.pathOffsets[TARGET + 1]!; i++) {
      const s = sigmoid(score(h, output, tree.pathNodes[i]!));
      loss -= Math.log(tree.pathCodes[i] ? s : 1 - s);
    }
    return loss;
  },
};

function kernelStep(loss: 'softmax' | 'ns' | 'hs', input: Float32Array, output: Float32Array): { input: Float32Array; output: Float32Array } {
  const stride = paddedStride(DIM);
  const plan = new MemoryPlan();
  const tables = takeActivationTables(plan);
  const at = {
    input: plan.take(INPUT_ROWS * stride * 4),
    output: plan.take(LABELS * stride * 4),
    negatives: plan.take(64 * 4),
    treeOffsets: plan.take(tree.pathOffsets.byteLength),
    treeNodes: plan.take(tree.pathNodes.byteLength),
    treeCodes: plan.take(tree.pathCodes.byteLength),
    featureOffsets: plan.take(8),
    features: plan.take(FEATURES.byteLength),
    labelOffsets: plan.take(8),
    labels: plan.take(4),
    scratch: plan.take(1 << 16),
    scores: plan.take(LABELS * 4),
  };
  const { memory, kernel } = plan.allocate();
  const buffer = memory.buffer;
  fillActivationTables(memory, tables);
  const place = (from: Float32Array, offset: number, rows: number) => {
    for (let r = 0; r < rows; r++) new Float32Array(buffer, offset + r * stride * 4, DIM).set(from.subarray(r * DIM, (r + 1) * DIM));
  };
  const read = (offset: number, rows: number) => {
    const out = new Float32Array(rows * DIM);
    for (let r = 0; r < rows; r++) out.set(new Float32Array(buffer, offset + r * stride * 4, DIM), r * DIM);
    return out;
  };
  place(input, at.input, INPUT_ROWS);
  place(output, at.output, LABELS);
  new Int32Array(buffer, at.negatives, 64).set(Array.from({ length: 64 }, (_, i) => i % LABELS));
  new Int32Array(buffer, at.treeOffsets, tree.pathOffsets.length).set(tree.pathOffsets);
  new Int32Array(buffer, at.treeNodes, tree.pathNodes.length).set(tree.pathNodes);
  new Int32Array(buffer, at.treeCodes, tree.pathCodes.length).set(tree.pathCodes);
  new Int32Array(buffer, at.featureOffsets, 2).set([0, FEATURES.length]);
  new Int32Array(buffer, at.features, FEATURES.length).set(FEATURES);
  new Int32Array(buffer, at.labelOffsets, 2).set([0, 1]);
  new Int32Array(buffer, at.labels, 1).set([TARGET]);
  kernel.configure(DIM, stride, at.input, at.output, 0, 0, 0, tables.sigmoid, tables.logs, 0, 0, 0, 1, 1, 1, 1, 0, at.scratch);
  kernel.configureSupervised(LABELS, KERNEL_LOSSES[loss], at.negatives, 64, at.treeOffsets, at.treeNodes, at.treeCodes, at.scores, 0);
  kernel.startEpoch(7n);
  // totalWork so large that the learning rate does not decay within the step.
  expect(kernel.trainSupervisedChunk(at.featureOffsets, at.features, at.labelOffsets, at.labels, 0, 1, LR, 0, 1e12)).toBe(0);
  return { input: read(at.input, INPUT_ROWS), output: read(at.output, LABELS) };
}

function numericGradient(loss: (input: Float64Array, output: Float64Array) => number, input: Float64Array, output: Float64Array) {
  const eps = 1e-6;
  const derive = (weights: Float64Array) =>
    Array.from(weights, (_, i) => {
      const keep = weights[i]!;
      weights[i] = keep + eps;
      const up = loss(input, output);
      weights[i] = keep - eps;
      const down = loss(input, output);
      weights[i] = keep;
      return (up - down) / (2 * eps);
    });
  return { input: derive(input), output: derive(output) };
}

describe('supervised kernel gradients', () => {
  const random = seededRandom(11);
  const input = Float32Array.from({ length: INPUT_ROWS * DIM }, () => random() - 0.5);
  const output = Float32Array.from({ length: LABELS * DIM }, () => random() - 0.5);

  it.each([
    ['softmax', 1e-5],
    ['hs', 2e-3],
  ] as const)('%s moves every weight by -lr x dLoss/dweight', (loss, tolerance) => {
    const after = kernelStep(loss, input, output);
    const gradient = numericGradient(losses[loss], Float64Array.from(input), Float64Array.from(output));
    for (let i = 0; i < input.length; i++) expect(after.input[i]! - input[i]!).toBeCloseTo(-LR * gradient.input[i]!, -Math.log10(tolerance));
    for (let i = 0; i < output.length; i++) expect(after.output[i]! - output[i]!).toBeCloseTo(-LR * gradient.output[i]!, -Math.log10(tolerance));
    // Rows that are no feature of the example do not move.
    for (const row of [1, 3]) for (let d = 0; d < DIM; d++) expect(after.input[row * DIM + d]).toBe(input[row * DIM + d]);
  });

  it('ns moves the weights by -lr x the gradient of the target and the one sampled negative', () => {
    const after = kernelStep('ns', input, output);
    const moved = [0, 1, 2].filter((j) => j !== TARGET && Array.from({ length: DIM }, (_, d) => after.output[j * DIM + d] !== output[j * DIM + d]).some(Boolean));
    expect(moved).toHaveLength(1);
    const negative = moved[0]!;
    const nsLoss = (inp: Float64Array, out: Float64Array) => {
      const h = hidden(inp);
      return -Math.log(sigmoid(score(h, out, TARGET))) - Math.log(1 - sigmoid(score(h, out, negative)));
    };
    const gradient = numericGradient(nsLoss, Float64Array.from(input), Float64Array.from(output));
    for (let i = 0; i < input.length; i++) expect(after.input[i]! - input[i]!).toBeCloseTo(-LR * gradient.input[i]!, 2.7);
    for (let i = 0; i < output.length; i++) expect(after.output[i]! - output[i]!).toBeCloseTo(-LR * gradient.output[i]!, 2.7);
  });
});
