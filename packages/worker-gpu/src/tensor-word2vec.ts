import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { HyperparameterError, InputDataError, TrainingDivergedError, type Word2VecHyperparameters } from '@blazefleet/core';
import {
  WordVectors,
  initialInputRows,
  shuffledNegativeTable,
  type TrainedWord2Vec,
  type Word2VecTrainingOptions,
  type Word2VecTrainingState,
} from '@blazefleet/algorithms';
import type { Scalar, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import { EpochRandom, epochRandom } from './epoch-random.js';
import type { TensorBackend, TensorBackendName, Tfjs } from './tensor-backend.js';

/** What training on tensors takes besides the CPU engine's options. */
export interface TensorTrainingSettings {
  /** Examples (skipgram: center-context pairs; cbow: positions) per batch; default DEFAULT_BATCH_EXAMPLES of the backend. */
  batchExamples?: number;
  /** Batches the host queues for the device before it waits for the oldest to finish (default 2). */
  batchesInFlight?: number;
  onLog?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Every example of a batch reads the rows as they were before it, so the larger the batch, the fewer effective steps
 * the rows of frequent words take. Skipgram on the 1 M-word corpus (5 epochs, BlazingText's defaults; the CPU engine
 * scores mean_rho 0.468 to 0.479 over seeds): 0.488 in batches of 1024, 0.473 of 4096, diverged at 16384. A larger
 * corpus has more steps an epoch and may keep that quality in larger batches: measure before raising batchExamples.
 */
export const DEFAULT_BATCH_EXAMPLES: Readonly<Record<TensorBackendName, number>> = { 'tensorflow-gpu': 4096, tensorflow: 1024, cpu: 1024 };
const DEFAULT_BATCHES_IN_FLIGHT = 2;
/** Sentences are cut after this many kept words, as in the CPU kernels (and word2vec's MAX_SENTENCE_LENGTH). */
const MAX_SENTENCE = 1000;
const MIN_ALPHA_SHARE = 1e-4;

/**
 * Trains cbow or skipgram with negative sampling on TensorFlow.js tensors, as the CPU engine (trainWord2Vec) does:
 * the same initial model, subsampling, negative table, windows and linearly decaying learning rate, in mini-batches
 * whose examples the host samples and the device trains together.
 */
export async function trainWord2VecOnTensors(backend: TensorBackend, options: Word2VecTrainingOptions & TensorTrainingSettings): Promise<TrainedWord2Vec> {
  const { corpus, hyperparameters: hp } = options;
  requireTensorSupport(hp, options);
  const vocabulary = corpus.vocabulary;
  if (corpus.tokenCount === 0 || vocabulary.size === 0) throw new InputDataError('corpus', 'has no words to train on');
  const seed = options.seed ?? 1;
  const batchExamples = options.batchExamples ?? DEFAULT_BATCH_EXAMPLES[backend.name];
  const batchesInFlight = options.batchesInFlight ?? DEFAULT_BATCHES_IN_FLIGHT;
  if (!Number.isInteger(batchExamples) || batchExamples < 1) throw new RangeError(`batchExamples: expected a positive integer, got ${batchExamples}`);
  if (!Number.isInteger(batchesInFlight) || batchesInFlight < 1) throw new RangeError(`batchesInFlight: expected a positive integer, got ${batchesInFlight}`);
  const log = options.onLog ?? (() => {});
  const dim = hp.vector_dim;
  const nwords = vocabulary.size;
  const resumed = options.resumeFrom;
  if (resumed !== undefined && (resumed.input.length !== nwords * dim || resumed.output.length !== nwords * dim)) {
    throw new RangeError(`resumeFrom: expected ${nwords} x ${dim} input and output values, got ${resumed.input.length} and ${resumed.output.length}`);
  }

  const positions = corpus.tokens.length;
  const totalWork = hp.epochs * positions;
  const sampler = new ExampleSampler(corpus.tokens, vocabulary.keepProbabilities(hp.sampling_threshold), shuffledNegativeTable(vocabulary, seed), hp, batchExamples, totalWork);
  const model = new TensorSgns(backend.tf, nwords, dim, resumed?.input ?? initialInputRows(nwords, dim, seed), resumed?.output ?? new Float32Array(nwords * dim));
  log(`Training ${hp.mode} on tensors (${backend.name}) in batches of ${batchExamples} examples`, { backend: backend.name, device: backend.device, batchExamples, batchesInFlight });

  const firstEpoch = resumed?.completedEpochs ?? 0;
  const loss = { sum: 0, examples: 0, reportedSum: 0, reportedExamples: 0 };
  for (let i = 0; i + 1 < (resumed?.counters.loss.length ?? 0); i += 2) {
    loss.sum += resumed!.counters.loss[i]!;
    loss.examples += resumed!.counters.loss[i + 1]!;
  }
  loss.reportedSum = loss.sum;
  loss.reportedExamples = loss.examples;
  const wordsPerPosition = corpus.tokenCount / positions;
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  let epoch = firstEpoch;
  let lastReport = performance.now();
  const started = lastReport;
  const report = (done: number): void => {
    lastReport = performance.now();
    if (!options.onProgress) return;
    const doneHere = done - firstEpoch * positions;
    const seconds = (lastReport - started) / 1000;
    const perSecond = seconds > 0 ? doneHere / seconds : 0;
    const examples = loss.examples - loss.reportedExamples;
    options.onProgress({
      alpha: hp.learning_rate * Math.max(1 - done / totalWork, MIN_ALPHA_SHARE),
      progress: done / totalWork,
      epoch: Math.min(epoch + 1, hp.epochs),
      wordsPerSecond: perSecond * wordsPerPosition,
      etaSeconds: perSecond > 0 ? (totalWork - done) / perSecond : Number.POSITIVE_INFINITY,
      loss: examples > 0 ? (loss.sum - loss.reportedSum) / examples : 0,
    });
    loss.reportedSum = loss.sum;
    loss.reportedExamples = loss.examples;
  };

  // Batch losses still on the device: reading the oldest waits for its batch, which bounds the batches queued.
  const pending: { loss: Scalar; examples: number }[] = [];
  const settleOldest = async (): Promise<void> => {
    const oldest = pending.shift()!;
    const value = (await oldest.loss.data())[0]!;
    oldest.loss.dispose();
    if (!Number.isFinite(value)) throw new TrainingDivergedError(epoch + 1, 'loss became NaN');
    loss.sum += value;
    loss.examples += oldest.examples;
  };
  try {
    for (; epoch < hp.epochs; epoch++) {
      sampler.startEpoch(epoch, seed);
      for (let batch = sampler.nextBatch(); batch !== undefined; batch = sampler.nextBatch()) {
        options.signal?.throwIfAborted();
        pending.push({ loss: model.train(batch), examples: batch.size });
        if (pending.length > batchesInFlight) await settleOldest();
        if (performance.now() - lastReport >= progressIntervalMs) report(epoch * positions + sampler.positionsRead);
        // Lets timers, sockets and the abort signal through: the backends compute synchronously on this thread.
        await yieldToEventLoop();
      }
      while (pending.length > 0) await settleOldest();
      const evaluate = options.onEpochEnd !== undefined && epoch + 1 < hp.epochs;
      if (!evaluate && options.onCheckpoint === undefined) continue;
      // Valid until the callbacks return: training changes them afterwards (on the pure-JS backend, in place).
      const { input, output } = await model.matrices();
      if (evaluate) await options.onEpochEnd!(epoch + 1, () => new WordVectors(vocabulary.words, dim, input));
      const state: Word2VecTrainingState = { completedEpochs: epoch + 1, counters: { processed: (epoch + 1) * positions, loss: [loss.sum, loss.examples] }, input, output };
      await options.onCheckpoint?.(state);
    }
    report(totalWork);
    const seconds = (performance.now() - started) / 1000;
    const { input, output } = await model.matrices();
    if (!allFinite(input) || !allFinite(output)) throw new TrainingDivergedError(hp.epochs, 'vectors contain NaN or infinity');
    const wordsPerSecond = seconds > 0 ? ((hp.epochs - firstEpoch) * corpus.tokenCount) / seconds : 0;
    log(`Trained ${hp.epochs - firstEpoch} epochs on tensors (${backend.name}): peak tensor memory ${(model.peakBytes / 2 ** 20).toFixed(1)} MiB`, {
      backend: backend.name,
      device: backend.device,
      batchExamples,
      seconds,
      wordsPerSecond,
      peakTensorBytes: model.peakBytes,
    });
    const vectors = new WordVectors(vocabulary.words, dim, input);
    if (options.onEpochEnd) await options.onEpochEnd(hp.epochs, () => vectors);
    return { hyperparameters: hp, vocabulary, vectors, input, output, tokenCount: corpus.tokenCount, epochs: hp.epochs, seconds, wordsPerSecond, threads: 1 };
  } finally {
    for (const batch of pending) batch.loss.dispose();
    model.dispose();
  }
}

function requireTensorSupport(hp: Word2VecHyperparameters, options: Word2VecTrainingOptions): void {
  if (hp.mode === 'batch_skipgram') {
    throw new HyperparameterError('mode', 'cbow or skipgram on tensors (BlazingText trains batch_skipgram on CPU instances only)', hp.mode);
  }
  if (hp.subwords) throw new HyperparameterError('subwords', 'false: character n-grams are not supported on tensors yet (train them on a CPU instance)', hp.subwords);
  if (options.replicas !== undefined) throw new InputDataError('replicas', 'training on several hosts is not supported on tensors');
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/**
 * Examples that one mini-batch trains. Example e has `outputsPerExample` output rows at outputs[e * outputsPerExample...]:
 * its target word, then its negative samples, with weight 1, or 0 for a sample equal to the target (the CPU engine
 * drops it). Its hidden vector is its input row (skipgram: inputRows[e]) or the weighted sum of the input rows r with
 * inputExamples[r] = e (cbow: the context words, weight 1 / their count); every input row gets the hidden gradient.
 */
export interface ExampleBatch {
  size: number;
  outputsPerExample: number;
  outputs: Int32Array;
  outputWeights: Float32Array;
  /** Each example's learning rate. */
  alphas: Float32Array;
  inputRows: Int32Array;
  /** Absent when example e's only input row is inputRows[e], with weight 1. */
  inputExamples?: Int32Array;
  inputWeights?: Float32Array;
}

/**
 * The two embedding matrices on the device and the SGNS update of one batch, gradients written out by hand. Every
 * example's scores come from the rows as they were before the batch, and the updates of a row that several examples
 * touch are summed. A row's sum is then scaled by min(1, 1 / c), c = sum over its uses of alpha * sigmoid'(score) *
 * |other side|^2, its curvature along the update: no further than the minimum of its share of the batch loss, where
 * one step at a time would have slowed down. Without it the output rows of frequent words, a hundred or more times
 * in a batch as negatives, overshoot: skipgram on the 1 M-word corpus diverged in batches of 4096, and on a
 * vocabulary of 16 words in batches of 1024.
 */
export class TensorSgns {
  input: Tensor2D;
  output: Tensor2D;
  /** The most bytes of tensors held at once (tf.memory().numBytes at the end of each step, before its temporaries go). */
  peakBytes = 0;
  readonly #tf: Tfjs;
  readonly #dim: number;
  readonly #rows: RowOps;
  readonly #inputRows: DistinctRows;
  readonly #outputRows: DistinctRows;

  constructor(tf: Tfjs, rows: number, dim: number, input: Float32Array, output: Float32Array) {
    this.#tf = tf;
    this.#dim = dim;
    this.input = tf.tensor2d(input, [rows, dim]);
    this.output = tf.tensor2d(output, [rows, dim]);
    this.#rows = rowOps(tf);
    this.#inputRows = new DistinctRows(rows);
    this.#outputRows = new DistinctRows(rows);
  }

  /** Applies one batch's updates; returns its loss summed over the examples (a tensor: reading it waits for the device). */
  train(batch: ExampleBatch): Scalar {
    const tf = this.#tf;
    const dim = this.#dim;
    const { gather } = this.#rows;
    const { size, outputsPerExample: width } = batch;
    const inputRows = this.#inputRows.of(batch.inputRows);
    const outputRows = this.#outputRows.of(batch.outputs);
    const [input, output, loss] = tf.tidy((): [Tensor2D, Tensor2D, Scalar] => {
      const rows = gather(this.input, tf.tensor1d(batch.inputRows, 'int32'));
      const inputExamples = batch.inputExamples && tf.tensor1d(batch.inputExamples, 'int32');
      const inputWeights = batch.inputWeights && tf.tensor1d(batch.inputWeights);
      const hidden: Tensor2D = inputExamples ? tf.scatterND(inputExamples.expandDims(1), this.#rows.scale(rows, inputWeights!), [size, dim]) : rows;
      const outputVectors = gather(this.output, tf.tensor1d(batch.outputs, 'int32')).reshape([size, width, dim]) as Tensor3D;
      const scores = tf.matMul(outputVectors, hidden.expandDims(2)).reshape([size, width]);
      const labels = tf.oneHot(tf.zeros([size], 'int32'), width, 1, 0, 'float32');
      const weights = tf.tensor2d(batch.outputWeights, [size, width]);
      const steps = weights.mul(tf.tensor2d(batch.alphas, [size, 1]));
      const probabilities = tf.sigmoid(scores);
      // -alpha x d(loss)/d(score): 1 - sigmoid for the target, -sigmoid for a negative.
      const gradients = tf.sub(labels, probabilities).mul(steps);
      const hiddenGradients = tf.matMul(gradients.expandDims(1), outputVectors).reshape([size, dim]) as Tensor2D;
      const outputGradients = tf.matMul(gradients.expandDims(2), hidden.expandDims(1)).reshape([size * width, dim]) as Tensor2D;
      // alpha x d2(loss)/d(score)2, times |x|^2 of the other side: each use's share of a row's curvature.
      const slopes = probabilities.mul(tf.sub(1, probabilities)).mul(steps);
      const outputCurvatures = slopes.mul(tf.square(hidden).sum(1, true)).reshape([size * width]) as Tensor1D;
      const hiddenCurvatures = slopes.mul(tf.square(outputVectors).sum(2)).sum(1) as Tensor1D;
      const inputGradients = inputExamples ? gather(hiddenGradients, inputExamples) : hiddenGradients;
      const inputCurvatures = inputExamples ? tf.gather(hiddenCurvatures, inputExamples).mul(tf.square(inputWeights!)) : hiddenCurvatures;
      const loss = tf.neg(tf.logSigmoid(scores.mul(labels.mul(2).sub(1))).mul(weights).sum()) as Scalar;
      // Every read of the matrices is above: on the pure-JS backend tensorScatterUpdate writes into them in place.
      const nextOutput = this.#addToRows(this.output, outputRows, outputGradients, outputCurvatures);
      const nextInput = this.#addToRows(this.input, inputRows, inputGradients, inputCurvatures as Tensor1D);
      this.peakBytes = Math.max(this.peakBytes, tf.memory().numBytes);
      return [nextInput, nextOutput, loss];
    });
    this.input.dispose();
    this.output.dispose();
    this.input = input;
    this.output = output;
    return loss;
  }

  /** The matrices' values, rows x dim packed. On the pure-JS backend they are the tensors' own arrays. */
  async matrices(): Promise<{ input: Float32Array; output: Float32Array }> {
    const [input, output] = await Promise.all([this.input.data(), this.output.data()]);
    return { input: input as Float32Array, output: output as Float32Array };
  }

  dispose(): void {
    this.input.dispose();
    this.output.dispose();
  }

  /** Adds the gradients to their rows of the matrix: summed per row, each row's sum capped at its Newton step. */
  #addToRows(matrix: Tensor2D, rows: RowsOfBatch, gradients: Tensor2D, curvatures: Tensor1D): Tensor2D {
    const tf = this.#tf;
    const distinct = rows.distinct.length;
    const ids = tf.tensor1d(rows.distinct, 'int32');
    const slots = tf.tensor2d(rows.slots, [rows.slots.length, 1], 'int32');
    const sums = tf.scatterND(slots, gradients, [distinct, this.#dim]) as Tensor2D;
    // min(1, 1 / curvature): 1 / 0 is Infinity.
    const caps = tf.minimum(1, tf.reciprocal(tf.scatterND(slots, curvatures, [distinct]))) as Tensor1D;
    return tf.tensorScatterUpdate(matrix, ids.expandDims(1), this.#rows.gather(matrix, ids).add(this.#rows.scale(sums, caps)));
  }
}

/** Row gathers and row scalings, by the fastest ops of the backend. */
interface RowOps {
  gather(matrix: Tensor2D, ids: Tensor1D): Tensor2D;
  /** Row i times factors[i]. */
  scale(matrix: Tensor2D, factors: Tensor1D): Tensor2D;
}

/**
 * The pure-JS backend computes the coordinates of every float in gather and in broadcasting products: sparseSegmentSum
 * with one row per segment copies whole rows instead (8x faster), and a batch of 1 x 1 by 1 x dim products scales rows
 * (6x faster). TensorFlow has fast gathers and broadcasts, and no sparseSegmentSum kernel in tfjs-node.
 */
export function rowOps(tf: Tfjs, native = tf.getBackend() !== 'cpu'): RowOps {
  if (native) {
    return { gather: (matrix, ids) => tf.gather(matrix, ids), scale: (matrix, factors) => matrix.mul(factors.expandDims(1)) };
  }
  return {
    gather: (matrix, ids) => tf.sparse.sparseSegmentSum(matrix, ids, tf.range(0, ids.shape[0], 1, 'int32')) as Tensor2D,
    scale: (matrix, factors) => {
      const [rows, dim] = matrix.shape;
      return tf.matMul(factors.reshape([rows, 1, 1]), matrix.reshape([rows, 1, dim])).reshape([rows, dim]);
    },
  };
}

interface RowsOfBatch {
  /** The distinct row ids, in order of first use. */
  distinct: Int32Array;
  /** For every id given, the index of its row in `distinct`. */
  slots: Int32Array;
}

/** Finds the distinct rows of a batch in time linear in the batch, with a mark per row of the matrix. */
class DistinctRows {
  readonly #mark: Int32Array;
  readonly #slot: Int32Array;
  #batch = 0;

  constructor(rows: number) {
    this.#mark = new Int32Array(rows);
    this.#slot = new Int32Array(rows);
  }

  of(ids: Int32Array): RowsOfBatch {
    const batch = ++this.#batch;
    const slots = new Int32Array(ids.length);
    const distinct = new Int32Array(ids.length);
    let count = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (this.#mark[id] !== batch) {
        this.#mark[id] = batch;
        this.#slot[id] = count;
        distinct[count++] = id;
      }
      slots[i] = this.#slot[id]!;
    }
    return { distinct: distinct.slice(0, count), slots };
  }
}

/**
 * Samples the examples of an epoch as the CPU kernel (trainChunk) does: sentences end at line ends or after
 * MAX_SENTENCE kept words, frequent words are dropped with the vocabulary's keep probabilities, each position draws
 * its window's shrink b in [0, window), the learning rate decays with the positions read, and negatives are read
 * sequentially from the shuffled table from a random start. Each epoch's draws depend only on (seed, epoch).
 */
class ExampleSampler {
  readonly #sentence = new Int32Array(MAX_SENTENCE);
  #length = 0;
  #center = 0;
  #alpha = 0;
  #position = 0;
  #positionsBefore = 0;
  #negativeAt = 0;
  #random = new EpochRandom(0);
  readonly #cbow: boolean;
  readonly #window: number;
  readonly #width: number;
  readonly #learningRate: number;
  readonly #outputs: Int32Array;
  readonly #outputWeights: Float32Array;
  readonly #alphas: Float32Array;
  readonly #inputRows: Int32Array;
  readonly #inputExamples: Int32Array;
  readonly #inputWeights: Float32Array;

  constructor(
    readonly tokens: Int32Array,
    readonly keep: Float32Array,
    readonly negatives: Int32Array,
    hp: Word2VecHyperparameters,
    readonly batchExamples: number,
    readonly totalWork: number,
  ) {
    this.#cbow = hp.mode === 'cbow';
    this.#window = hp.window_size;
    this.#width = 1 + hp.negative_samples;
    this.#learningRate = hp.learning_rate;
    // A skipgram position adds up to 2 x window examples, so a batch ends up to that many past batchExamples.
    const examples = batchExamples + 2 * this.#window;
    this.#outputs = new Int32Array(examples * this.#width);
    this.#outputWeights = new Float32Array(this.#outputs.length);
    this.#alphas = new Float32Array(examples);
    this.#inputRows = new Int32Array(this.#cbow ? batchExamples * 2 * this.#window : examples);
    this.#inputExamples = new Int32Array(this.#cbow ? this.#inputRows.length : 0);
    this.#inputWeights = new Float32Array(this.#inputExamples.length);
  }

  /** Token positions of this epoch read so far (sentences are read whole, ahead of their examples). */
  get positionsRead(): number {
    return this.#position;
  }

  startEpoch(epoch: number, seed: number): void {
    this.#random = epochRandom(seed, epoch);
    this.#negativeAt = this.#random.below(this.negatives.length);
    this.#position = 0;
    this.#length = 0;
    this.#center = 0;
    this.#positionsBefore = epoch * this.tokens.length;
  }

  /** The next batch of the epoch (fresh arrays, the tensors' own), or undefined at its end. */
  nextBatch(): ExampleBatch | undefined {
    const sentence = this.#sentence;
    const window = this.#window;
    let examples = 0;
    let inputs = 0;
    while (examples < this.batchExamples) {
      if (this.#center >= this.#length && !this.#readSentence()) break;
      const i = this.#center++;
      const shrink = this.#random.below(window);
      const lo = Math.max(0, i - window + shrink);
      const hi = Math.min(this.#length, i + window - shrink + 1);
      if (this.#cbow) {
        const first = inputs;
        for (let c = lo; c < hi; c++) {
          if (c === i) continue;
          this.#inputRows[inputs] = sentence[c]!;
          this.#inputExamples[inputs++] = examples;
        }
        const weight = 1 / (inputs - first);
        for (let r = first; r < inputs; r++) this.#inputWeights[r] = weight;
        this.#addExample(examples++, sentence[i]!);
      } else {
        for (let c = lo; c < hi; c++) {
          if (c === i) continue;
          this.#inputRows[examples] = sentence[i]!;
          this.#addExample(examples++, sentence[c]!);
        }
      }
    }
    if (examples === 0) return undefined;
    const batch: ExampleBatch = {
      size: examples,
      outputsPerExample: this.#width,
      outputs: this.#outputs.slice(0, examples * this.#width),
      outputWeights: this.#outputWeights.slice(0, examples * this.#width),
      alphas: this.#alphas.slice(0, examples),
      inputRows: this.#inputRows.slice(0, this.#cbow ? inputs : examples),
    };
    if (this.#cbow) {
      batch.inputExamples = this.#inputExamples.slice(0, inputs);
      batch.inputWeights = this.#inputWeights.slice(0, inputs);
    }
    return batch;
  }

  #addExample(example: number, target: number): void {
    const outputs = this.#outputs;
    const weights = this.#outputWeights;
    const negatives = this.negatives;
    let at = example * this.#width;
    outputs[at] = target;
    weights[at++] = 1;
    for (let k = 1; k < this.#width; k++, at++) {
      const negative = negatives[this.#negativeAt++]!;
      if (this.#negativeAt === negatives.length) this.#negativeAt = 0;
      outputs[at] = negative;
      weights[at] = negative === target ? 0 : 1;
    }
    this.#alphas[example] = this.#alpha;
  }

  /** Reads the next sentence of two or more kept words; false at the end of the corpus. */
  #readSentence(): boolean {
    const { tokens, keep } = this;
    const sentence = this.#sentence;
    while (this.#position < tokens.length) {
      let length = 0;
      while (this.#position < tokens.length && length < MAX_SENTENCE) {
        const word = tokens[this.#position++]!;
        if (word < 0) break;
        if (keep[word]! < this.#random.uniform()) continue;
        sentence[length++] = word;
      }
      if (length < 2) continue;
      const progress = Math.min(1, (this.#positionsBefore + this.#position) / this.totalWork);
      this.#alpha = this.#learningRate * Math.max(1 - progress, MIN_ALPHA_SHARE);
      this.#length = length;
      this.#center = 0;
      return true;
    }
    return false;
  }
}
