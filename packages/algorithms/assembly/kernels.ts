// word2vec training kernels (cbow, skipgram, batch_skipgram), compiled to WebAssembly with SIMD.
//
// Memory: one shared linear memory for all threads. The host lays out the model there (input matrix
// `syn0`, (nwords + buckets) x dim; output matrix `syn1`, nwords x dim; tables) and a scratch region per
// thread, then calls `configure` once per thread instance (globals are per instance), `startEpoch` at the start
// of every epoch and `trainChunk` with tens of thousands of tokens at a time. Updates are Hogwild: no locks.

const MAX_SENTENCE: i32 = 1000;
// Tables filled by the host: sigmoid over [-MAX_SIGMOID, MAX_SIGMOID] and log over (0, 1], SIZE + 1 entries each.
const SIGMOID_TABLE_SIZE: i32 = 512;
const MAX_SIGMOID: f32 = 8.0;
const LOG_TABLE_SIZE: i32 = 512;

export const MODE_CBOW: i32 = 0;
export const MODE_SKIPGRAM: i32 = 1;
export const MODE_BATCH_SKIPGRAM: i32 = 2;

// Model and tables (shared).
let dim: i32 = 0;
/** Bytes from one row to the next: dim floats padded to whole cache lines, so that no two rows share a line. */
let rowBytes: usize = 0;
let syn0: usize = 0;
let syn1: usize = 0;
let negTable: usize = 0;
let negTableSize: u64 = 0;
let keepProb: usize = 0;
let sigmoidTable: usize = 0;
let logTable: usize = 0;
let subOffsets: usize = 0;
let subRows: usize = 0;
let useSubwords: bool = false;
let window: i32 = 5;
let negative: i32 = 5;
let batchSize: i32 = 11;

// Per-thread scratch.
let sentence: usize = 0; // i32[MAX_SENTENCE]
let hidden: usize = 0; // f32[dim]
let grad: usize = 0; // f32[dim]
let rows: usize = 0; // i32[rowsCapacity]: input rows of one update
let outputs: usize = 0; // i32[negative + 1]
let scores: usize = 0; // f32[batchSize * (negative + 1)]
let deltas: usize = 0; // f32[batchSize * dim]

// Hot rows: with several threads, each keeps private replicas of the first rows of both matrices (the most
// frequent words; for the classifier, the labels) and merges its changes into the shared rows every SYNC_POSITIONS tokens.
// Without them, the threads spend most of their time passing the cache lines of those rows back and forth.
const SYNC_POSITIONS: f64 = 16384;
let hotCount: i32 = 0; // input rows replicated
let hotOutputCount: i32 = 0; // output rows replicated
let hotInput: usize = 0; // f32[hotCount * dim], this thread's replica
let hotInputBase: usize = 0; // the shared values at the last merge
let hotOutput: usize = 0;
let hotOutputBase: usize = 0;

let rng: u64 = 1;
let negativePosition: u64 = 0;
let touched: f32 = 0;
let lossSum: f64 = 0;
let lossCount: f64 = 0;
let diverged: bool = false;

/** Bytes of per-thread scratch needed for the given shape. */
export function scratchBytes(stride: i32, win: i32, neg: i32, batch: i32, maxRowsPerWord: i32, hot: i32): i32 {
  const rowsCapacity = 2 * win * maxRowsPerWord + maxRowsPerWord;
  return (
    MAX_SENTENCE * 4 +
    2 * stride * 4 +
    rowsCapacity * 4 +
    (neg + 1) * 4 +
    batch * (neg + 1) * 4 +
    batch * stride * 4 +
    4 * hot * stride * 4 +
    64 * 8
  );
}

export function configure(
  dimension: i32,
  stride: i32,
  input: usize,
  output: usize,
  negatives: usize,
  negativesSize: i32,
  keep: usize,
  sigmoid: usize,
  logs: usize,
  offsets: usize,
  subwordRows: usize,
  subwords: bool,
  win: i32,
  neg: i32,
  batch: i32,
  maxRowsPerWord: i32,
  hot: i32,
  scratch: usize,
): void {
  dim = dimension;
  rowBytes = (<usize>stride) << 2;
  syn0 = input;
  syn1 = output;
  negTable = negatives;
  negTableSize = <u64>negativesSize;
  keepProb = keep;
  sigmoidTable = sigmoid;
  logTable = logs;
  subOffsets = offsets;
  subRows = subwordRows;
  useSubwords = subwords;
  window = win;
  negative = neg;
  batchSize = batch;
  const rowsCapacity = 2 * win * maxRowsPerWord + maxRowsPerWord;
  let p = scratch;
  sentence = p;
  p += <usize>MAX_SENTENCE << 2;
  hidden = p;
  p += rowBytes;
  grad = p;
  p += rowBytes;
  rows = p;
  p += (<usize>rowsCapacity) << 2;
  outputs = p;
  p += (<usize>(neg + 1)) << 2;
  scores = p;
  p += (<usize>(batch * (neg + 1))) << 2;
  deltas = p;
  p += (<usize>batch) * rowBytes;
  hotCount = hot;
  hotOutputCount = hot;
  const hotBytes = (<usize>hot) * rowBytes;
  hotInput = p;
  hotInputBase = p + hotBytes;
  hotOutput = p + 2 * hotBytes;
  hotOutputBase = p + 3 * hotBytes;
  memory.copy(hotInput, syn0, hotBytes);
  memory.copy(hotInputBase, syn0, hotBytes);
  memory.copy(hotOutput, syn1, hotBytes);
  memory.copy(hotOutputBase, syn1, hotBytes);
  lossSum = 0;
  lossCount = 0;
  diverged = false;
}

/**
 * Seeds this thread's generator for one epoch and draws its start in the negative tables from it, so that an epoch
 * depends only on the model and (seed, epoch, thread): a run resumed at an epoch boundary continues exactly.
 */
export function startEpoch(seed: u64): void {
  rng = seed;
  negativePosition = negTableSize > 0 ? below(negTableSize) : 0;
  labelNegativePosition = labelNegativesSize > 0 ? below(labelNegativesSize) : 0;
}

/** Uniform(-scale, scale) initialisation of the first `dimension` floats of `rows` rows `stride` floats apart, with the training generator. */
export function fillUniform(ptr: usize, rows: i32, dimension: i32, stride: i32, scale: f32, seed: u64): void {
  let state = seed;
  for (let r = 0; r < rows; r++) {
    const row = ptr + (<usize>r * <usize>stride << 2);
    for (let i = 0; i < dimension; i++) {
      state = state * 25214903917 + 11;
      const u = <f32>(<u32>(state >> 16) & 0xffffff) / <f32>16777216.0;
      store<f32>(row + (<usize>i << 2), (u * 2.0 - 1.0) * scale);
    }
  }
}

/** Keeps the row touches of `touchRow` observable, so that no optimiser removes them. */
export function touchedSum(): f32 {
  return touched;
}

export function lossTotal(): f64 {
  return lossSum;
}
export function lossExamples(): f64 {
  return lossCount;
}
/** Sets the loss totals, for a run resumed from a checkpoint. */
export function restoreLoss(sum: f64, count: f64): void {
  lossSum = sum;
  lossCount = count;
}

@inline
function nextRandom(): u64 {
  rng = rng * 25214903917 + 11;
  return rng;
}

@inline
function uniform01(): f32 {
  return <f32>(<u32>(nextRandom() >> 16) & 0xffff) / <f32>65536.0;
}

@inline
function inputRow(word: i32): usize {
  return word < hotCount ? hotInput + <usize>word * rowBytes : syn0 + <usize>word * rowBytes;
}

@inline
function outputRow(word: i32): usize {
  return word < hotOutputCount ? hotOutput + <usize>word * rowBytes : syn1 + <usize>word * rowBytes;
}

/** shared += replica - base; then replica = base = shared (which now also holds the other threads' merged changes). */
function mergeReplica(replica: usize, base: usize, shared: usize, rowCount: i32): void {
  const n = <i32>(((<usize>rowCount) * rowBytes) >> 2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const merged = f32x4.add(v128.load(shared + o), f32x4.sub(v128.load(replica + o), v128.load(base + o)));
    v128.store(shared + o, merged);
    v128.store(replica + o, merged);
    v128.store(base + o, merged);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const merged = load<f32>(shared + o) + load<f32>(replica + o) - load<f32>(base + o);
    store<f32>(shared + o, merged);
    store<f32>(replica + o, merged);
    store<f32>(base + o, merged);
  }
}

/** Publishes this thread's changes to the hot rows; the host calls it too before reading the model. */
export function mergeHotRows(): void {
  if (hotCount > 0) mergeReplica(hotInput, hotInputBase, syn0, hotCount);
  if (hotOutputCount > 0) mergeReplica(hotOutput, hotOutputBase, syn1, hotOutputCount);
}

@inline
function sigmoid(x: f32): f32 {
  if (x < -MAX_SIGMOID) return 0.0;
  if (x > MAX_SIGMOID) return 1.0;
  const i = <i32>((x + MAX_SIGMOID) * (<f32>SIGMOID_TABLE_SIZE / MAX_SIGMOID / 2.0));
  return load<f32>(sigmoidTable + (<usize>i << 2));
}

@inline
function logOf(x: f32): f32 {
  if (x >= 1.0) return 0.0;
  const i = <i32>(x * <f32>LOG_TABLE_SIZE);
  return load<f32>(logTable + (<usize>i << 2));
}

/** Uniform integer in [0, n) from the high bits, by multiply-shift rather than a 64-bit division. */
@inline
function below(n: u64): u64 {
  return ((nextRandom() >> 32) * n) >> 32;
}

/** Next word of the (host-shuffled) negative table, read sequentially as fastText does: no cache miss for the table itself. */
@inline
function sampleNegative(): i32 {
  const word = load<i32>(negTable + (<usize>negativePosition << 2));
  negativePosition++;
  if (negativePosition == negTableSize) negativePosition = 0;
  return word;
}

/**
 * Loads one float of every cache line of an output row and keeps the sum, so that the misses of all rows of an
 * update are in flight together instead of one after another (WebAssembly has no prefetch instruction).
 */
@inline
function touchRow(row: usize): void {
  let sum: f32 = 0;
  for (let o: usize = 0; o < rowBytes; o += 64) sum += load<f32>(row + o);
  touched += sum;
}

@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

function dot(a: usize, b: usize): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let i = 0;
  const n = dim;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + o + 16), v128.load(b + o + 16)));
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = hsum(f32x4.add(acc0, acc1));
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

/** y += a * x */
function axpy(y: usize, a: f32, x: usize): void {
  const av = f32x4.splat(a);
  let i = 0;
  const n = dim;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/** g += a * out; out += a * h  (one pass over the output row) */
function accumulateAndUpdate(g: usize, out: usize, h: usize, a: f32): void {
  const av = f32x4.splat(a);
  let i = 0;
  const n = dim;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const ov = v128.load(out + o);
    v128.store(g + o, f32x4.add(v128.load(g + o), f32x4.mul(av, ov)));
    v128.store(out + o, f32x4.add(ov, f32x4.mul(av, v128.load(h + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const ov = load<f32>(out + o);
    store<f32>(g + o, load<f32>(g + o) + a * ov);
    store<f32>(out + o, ov + a * load<f32>(h + o));
  }
}

function zero(p: usize): void {
  memory.fill(p, 0, rowBytes);
}

/** Fills `outputs` with the target and `negative` samples (a sample equal to the target is dropped); returns their count. */
function pickOutputs(target: i32): i32 {
  store<i32>(outputs, target);
  touchRow(outputRow(target));
  let count = 1;
  for (let k = 0; k < negative; k++) {
    const word = sampleNegative();
    if (word == target) continue;
    store<i32>(outputs + (<usize>count << 2), word);
    touchRow(outputRow(word));
    count++;
  }
  return count;
}

/** Negative-sampling logistic loss of one hidden vector against `target` and sampled negatives; accumulates the input gradient in `grad`. */
function negativeSampling(h: usize, target: i32, alpha: f32): void {
  const count = pickOutputs(target);
  zero(grad);
  let loss: f32 = 0;
  for (let k = 0; k < count; k++) {
    const out = outputRow(load<i32>(outputs + (<usize>k << 2)));
    const f = dot(h, out);
    if (f != f) {
      diverged = true;
      return;
    }
    const score = sigmoid(f);
    const label: f32 = k == 0 ? 1.0 : 0.0;
    loss -= k == 0 ? logOf(score) : logOf(1.0 - score);
    accumulateAndUpdate(grad, out, h, alpha * (label - score));
  }
  lossSum += <f64>loss;
  lossCount += 1;
}

/** Appends the input rows of `word` (the word and, with subwords, its n-grams) to `rows` at `count`; returns the new count. */
@inline
function appendInputRows(word: i32, count: i32): i32 {
  store<i32>(rows + (<usize>count << 2), word);
  count++;
  if (useSubwords) {
    const start = load<i32>(subOffsets + (<usize>word << 2));
    const end = load<i32>(subOffsets + (<usize>(word + 1) << 2));
    for (let j = start; j < end; j++) {
      store<i32>(rows + (<usize>count << 2), load<i32>(subRows + (<usize>j << 2)));
      count++;
    }
  }
  return count;
}

/** hidden = mean of the `count` input rows; returns the address of the hidden vector (the row itself when there is one). */
function computeHidden(list: usize, count: i32): usize {
  if (count == 1) return inputRow(load<i32>(list));
  zero(hidden);
  for (let r = 0; r < count; r++) {
    axpy(hidden, 1.0, inputRow(load<i32>(list + (<usize>r << 2))));
  }
  const scale = f32x4.splat(<f32>1.0 / <f32>count);
  let i = 0;
  for (; i + 4 <= dim; i += 4) {
    const o = <usize>i << 2;
    v128.store(hidden + o, f32x4.mul(v128.load(hidden + o), scale));
  }
  for (; i < dim; i++) {
    const o = <usize>i << 2;
    store<f32>(hidden + o, load<f32>(hidden + o) / <f32>count);
  }
  return hidden;
}

function applyGradToRows(list: usize, count: i32, scale: f32): void {
  for (let r = 0; r < count; r++) {
    axpy(inputRow(load<i32>(list + (<usize>r << 2))), scale, grad);
  }
}

function trainCbow(len: i32, alpha: f32): void {
  for (let i = 0; i < len; i++) {
    const b = <i32>below(<u64>window);
    const lo = max(0, i - window + b);
    const hi = min(len, i + window - b + 1);
    let count = 0;
    for (let c = lo; c < hi; c++) {
      if (c == i) continue;
      count = appendInputRows(load<i32>(sentence + (<usize>c << 2)), count);
    }
    if (count == 0) continue;
    const h = computeHidden(rows, count);
    negativeSampling(h, load<i32>(sentence + (<usize>i << 2)), alpha);
    if (diverged) return;
    applyGradToRows(rows, count, 1.0);
  }
}

function trainSkipgram(len: i32, alpha: f32): void {
  for (let i = 0; i < len; i++) {
    const b = <i32>below(<u64>window);
    const lo = max(0, i - window + b);
    const hi = min(len, i + window - b + 1);
    const count = appendInputRows(load<i32>(sentence + (<usize>i << 2)), 0);
    for (let c = lo; c < hi; c++) {
      if (c == i) continue;
      const h = computeHidden(rows, count);
      negativeSampling(h, load<i32>(sentence + (<usize>c << 2)), alpha);
      if (diverged) return;
      applyGradToRows(rows, count, 1.0);
    }
  }
}

/**
 * batch_skipgram (Ji et al. 2016): the context words of one target share a single set of negatives, so a
 * minibatch of up to `batchSize` inputs against the target and its negatives is a small dense product.
 * scores[i][j] = syn0[in_i] . syn1[out_j]; deltas are computed from the old rows, then both sides updated.
 */
function trainBatchSkipgram(len: i32, alpha: f32): void {
  for (let i = 0; i < len; i++) {
    const target = load<i32>(sentence + (<usize>i << 2));
    const b = <i32>below(<u64>window);
    const lo = max(0, i - window + b);
    const hi = min(len, i + window - b + 1);
    let ninputs = 0;
    for (let c = lo; c < hi; c++) {
      if (c == i) continue;
      store<i32>(rows + (<usize>ninputs << 2), load<i32>(sentence + (<usize>c << 2)));
      ninputs++;
    }
    for (let start = 0; start < ninputs; start += batchSize) {
      const bsz = min(batchSize, ninputs - start);
      const nout = pickOutputs(target);
      batchUpdate(start, bsz, nout, alpha);
      if (diverged) return;
    }
  }
}

function batchUpdate(start: i32, bsz: i32, nout: i32, alpha: f32): void {
  let loss: f32 = 0;
  // scores -> gradient coefficients
  for (let r = 0; r < bsz; r++) {
    const inRow = inputRow(load<i32>(rows + (<usize>(start + r) << 2)));
    for (let j = 0; j < nout; j++) {
      const outRow = outputRow(load<i32>(outputs + (<usize>j << 2)));
      const f = dot(inRow, outRow);
      if (f != f) {
        diverged = true;
        return;
      }
      const label: f32 = j == 0 ? 1.0 : 0.0;
      const score = sigmoid(f);
      loss -= j == 0 ? logOf(score) : logOf(1.0 - score);
      store<f32>(scores + (<usize>(r * nout + j) << 2), alpha * (label - score));
    }
  }
  lossSum += <f64>loss;
  lossCount += <f64>bsz;
  // input deltas from the old output rows
  for (let r = 0; r < bsz; r++) {
    const d = deltas + <usize>r * rowBytes;
    memory.fill(d, 0, rowBytes);
    for (let j = 0; j < nout; j++) {
      axpy(d, load<f32>(scores + (<usize>(r * nout + j) << 2)), outputRow(load<i32>(outputs + (<usize>j << 2))));
    }
  }
  // output rows += sum_r g[r][j] * in_r (old input rows)
  for (let j = 0; j < nout; j++) {
    const outRow = outputRow(load<i32>(outputs + (<usize>j << 2)));
    for (let r = 0; r < bsz; r++) {
      axpy(outRow, load<f32>(scores + (<usize>(r * nout + j) << 2)), inputRow(load<i32>(rows + (<usize>(start + r) << 2))));
    }
  }
  for (let r = 0; r < bsz; r++) {
    axpy(inputRow(load<i32>(rows + (<usize>(start + r) << 2))), 1.0, deltas + <usize>r * rowBytes);
  }
}

/**
 * Trains on `count` token ids at `tokens` (negative ids end a sentence). Frequent words are subsampled,
 * sentences are cut at MAX_SENTENCE kept words, and the learning rate decays linearly with
 * (progressStart + positions read here) / totalWork. Returns 1 when training diverged (NaN), else 0.
 */
export function trainChunk(mode: i32, tokens: usize, count: i32, learningRate: f32, progressStart: f64, totalWork: f64): i32 {
  let pos = 0;
  let seen: f64 = 0;
  let lastMerge: f64 = 0;
  while (pos < count) {
    if (seen - lastMerge >= SYNC_POSITIONS) {
      mergeHotRows();
      lastMerge = seen;
    }
    let len = 0;
    while (pos < count && len < MAX_SENTENCE) {
      const w = load<i32>(tokens + (<usize>pos << 2));
      pos++;
      seen += 1;
      if (w < 0) break;
      if (load<f32>(keepProb + (<usize>w << 2)) < uniform01()) continue;
      store<i32>(sentence + (<usize>len << 2), w);
      len++;
    }
    if (len < 2) continue;
    let progress = <f32>((progressStart + seen) / totalWork);
    if (progress > 1.0) progress = 1.0;
    let alpha = learningRate * (<f32>1.0 - progress);
    if (alpha < learningRate * <f32>0.0001) alpha = learningRate * <f32>0.0001;
    if (mode == MODE_CBOW) trainCbow(len, alpha);
    else if (mode == MODE_SKIPGRAM) trainSkipgram(len, alpha);
    else trainBatchSkipgram(len, alpha);
    if (diverged) return 1;
  }
  mergeHotRows();
  return 0;
}

// ---- Supervised classifier (fastText's supervised mode) ----
// Input rows of an example: its words, their character n-grams and its hashed word n-grams (host-encoded, CSR).
// Output rows: one per label (softmax, ns) or one per inner node of the label Huffman tree (hs).

export const LOSS_SOFTMAX: i32 = 0;
export const LOSS_NS: i32 = 1;
export const LOSS_HS: i32 = 2;

let labelCount: i32 = 0;
let lossKind: i32 = 0;
let labelNegatives: usize = 0;
let labelNegativesSize: u64 = 0;
let labelNegativePosition: u64 = 0;
let treeOffsets: usize = 0; // i32[labels + 1]: label l's path is treeNodes/treeCodes[offsets[l] .. offsets[l+1])
let treeNodes: usize = 0; // i32: output row of each node on the path
let treeCodes: usize = 0; // i32: 0 or 1, the side taken at that node
let labelScores: usize = 0; // f32[labels], this thread's

/** Classifier settings, after `configure`; `hotOutputs` must not exceed the `hot` given to configure. */
export function configureSupervised(
  labels: i32,
  loss: i32,
  negatives: usize,
  negativesSize: i32,
  offsets: usize,
  nodes: usize,
  codes: usize,
  scores: usize,
  hotOutputs: i32,
): void {
  labelCount = labels;
  lossKind = loss;
  labelNegatives = negatives;
  labelNegativesSize = <u64>negativesSize;
  labelNegativePosition = 0;
  treeOffsets = offsets;
  treeNodes = nodes;
  treeCodes = codes;
  labelScores = scores;
  hotOutputCount = hotOutputs;
}

/** One logistic unit: loss of `label` at output row `row`; grad += g * out, out += g * h. */
@inline
function binaryLogistic(h: usize, row: i32, label: bool, alpha: f32): f32 {
  const out = outputRow(row);
  const f = dot(h, out);
  if (f != f) {
    diverged = true;
    return 0;
  }
  const score = sigmoid(f);
  accumulateAndUpdate(grad, out, h, alpha * ((label ? <f32>1.0 : <f32>0.0) - score));
  return label ? -logOf(score) : -logOf(<f32>1.0 - score);
}

function softmaxLoss(h: usize, target: i32, alpha: f32): f32 {
  let maxScore: f32 = -Infinity;
  for (let j = 0; j < labelCount; j++) {
    const f = dot(h, outputRow(j));
    if (f != f) {
      diverged = true;
      return 0;
    }
    store<f32>(labelScores + (<usize>j << 2), f);
    if (f > maxScore) maxScore = f;
  }
  let sum: f32 = 0;
  for (let j = 0; j < labelCount; j++) {
    const e = Mathf.exp(load<f32>(labelScores + (<usize>j << 2)) - maxScore);
    store<f32>(labelScores + (<usize>j << 2), e);
    sum += e;
  }
  let loss: f32 = 0;
  for (let j = 0; j < labelCount; j++) {
    const p = load<f32>(labelScores + (<usize>j << 2)) / sum;
    const truth: f32 = j == target ? 1.0 : 0.0;
    if (j == target) loss = -logOf(p);
    accumulateAndUpdate(grad, outputRow(j), h, alpha * (truth - p));
  }
  return loss;
}

function negativeSamplingLabelLoss(h: usize, target: i32, alpha: f32): f32 {
  let loss = binaryLogistic(h, target, true, alpha);
  for (let k = 0; k < negative && !diverged; k++) {
    let label: i32;
    do {
      label = load<i32>(labelNegatives + (<usize>labelNegativePosition << 2));
      labelNegativePosition++;
      if (labelNegativePosition == labelNegativesSize) labelNegativePosition = 0;
    } while (label == target && labelCount > 1);
    if (label == target) break;
    loss += binaryLogistic(h, label, false, alpha);
  }
  return loss;
}

function hierarchicalSoftmaxLoss(h: usize, target: i32, alpha: f32): f32 {
  let loss: f32 = 0;
  const end = load<i32>(treeOffsets + (<usize>(target + 1) << 2));
  for (let i = load<i32>(treeOffsets + (<usize>target << 2)); i < end && !diverged; i++) {
    const node = load<i32>(treeNodes + (<usize>i << 2));
    loss += binaryLogistic(h, node, load<i32>(treeCodes + (<usize>i << 2)) != 0, alpha);
  }
  return loss;
}

/**
 * Trains on examples first .. first+count-1 (CSR arrays as the host encoded them). Each example updates its label
 * (a random one of several, as fastText does) against the mean of its input rows; the input gradient is shared
 * out over the rows. The learning rate decays linearly with (progressStart + examples done here) / totalWork.
 * Returns 1 when training diverged (NaN), else 0.
 */
export function trainSupervisedChunk(
  featureOffsets: usize,
  features: usize,
  labelOffsets: usize,
  labels: usize,
  first: i32,
  count: i32,
  learningRate: f32,
  progressStart: f64,
  totalWork: f64,
): i32 {
  let sinceMerge = 0;
  for (let e = first; e < first + count; e++) {
    const fs = load<i32>(featureOffsets + (<usize>e << 2));
    const fe = load<i32>(featureOffsets + (<usize>(e + 1) << 2));
    const ls = load<i32>(labelOffsets + (<usize>e << 2));
    const le = load<i32>(labelOffsets + (<usize>(e + 1) << 2));
    if (fe == fs || le == ls) continue;
    if (sinceMerge >= <i32>SYNC_POSITIONS) {
      mergeHotRows();
      sinceMerge = 0;
    }
    sinceMerge += fe - fs;
    let progress = <f32>((progressStart + <f64>(e - first)) / totalWork);
    if (progress > 1.0) progress = 1.0;
    const alpha = learningRate * (<f32>1.0 - progress);
    const target = load<i32>(labels + (<usize>(ls + (le - ls == 1 ? 0 : <i32>below(<u64>(le - ls)))) << 2));
    const list = features + (<usize>fs << 2);
    const h = computeHidden(list, fe - fs);
    zero(grad);
    let loss: f32;
    if (lossKind == LOSS_SOFTMAX) loss = softmaxLoss(h, target, alpha);
    else if (lossKind == LOSS_NS) loss = negativeSamplingLabelLoss(h, target, alpha);
    else loss = hierarchicalSoftmaxLoss(h, target, alpha);
    if (diverged) return 1;
    lossSum += <f64>loss;
    lossCount += 1;
    applyGradToRows(list, fe - fs, <f32>1.0 / <f32>(fe - fs));
  }
  mergeHotRows();
  return 0;
}

// Prediction: fastText's hidden vector, the mean of `count` rows of a row-major f32 matrix (`dim` floats a row, row ids
// as i32 at `rows`), zero rows left out of `rows` still counted in `divideBy`, written as f32 at `mean`. As fastText
// computes it (Vector::addRow, then mul by the float 1/n): rows added one after another in f32, lane by lane, so a
// scalar loop in the same order gives the same bits.
export function meanRowsF32(matrix: usize, dim: i32, rows: usize, count: i32, divideBy: i32, mean: usize): void {
  const rowBytes = <usize>dim << 2;
  const vectorEnd = dim & ~3;
  memory.fill(mean, 0, rowBytes);
  for (let i: i32 = 0; i < count; i++) {
    const row = matrix + <usize>load<i32>(rows + (<usize>i << 2)) * rowBytes;
    let d: i32 = 0;
    for (; d < vectorEnd; d += 4) {
      const at = <usize>d << 2;
      v128.store(mean + at, f32x4.add(v128.load(mean + at), v128.load(row + at)));
    }
    for (; d < dim; d++) {
      const at = <usize>d << 2;
      store<f32>(mean + at, load<f32>(mean + at) + load<f32>(row + at));
    }
  }
  const scale = <f32>(1.0 / <f64>divideBy);
  const scales = f32x4.splat(scale);
  let d: i32 = 0;
  for (; d < vectorEnd; d += 4) {
    const at = mean + (<usize>d << 2);
    v128.store(at, f32x4.mul(v128.load(at), scales));
  }
  for (; d < dim; d++) {
    const at = mean + (<usize>d << 2);
    store<f32>(at, load<f32>(at) * scale);
  }
}
