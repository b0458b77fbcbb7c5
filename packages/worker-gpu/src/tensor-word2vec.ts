import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { HyperparameterError, InputDataError, TrainingDivergedError, type Word2VecHyperparameters } from '@blazefleet/core';
import {
  buildSubwordIndex,
  findNonFinite,
  initialInputRows,
  shuffledNegativeTable,
  word2VecVectors,
  type SubwordIndex,
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
  /** Equal parts of the corpus read at once, a sentence of each in turn (default DEFAULT_CORPUS_STREAMS). */
  corpusStreams?: number;
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
/**
 * Text is local: a stretch of Wikipedia stays on one topic. Read in one stream, a batch is one topic's, and the last
 * stretch of each epoch pulls the vectors its way while the learning rate runs down; as BlazingText's GPU kernels
 * train sentences from all over the corpus at once (and the CPU engine's threads each read their own part), sentences
 * come from 64 places in turn. On the 1 M-word corpus (5 epochs, dim 50, cbow, seeds 1 to 3) mean_rho rose from
 * 0.206 (1 stream) to 0.221 (2), 0.231 (16) and 0.238 (64); skipgram (3 epochs, seeds 1 and 2) from 0.342 to 0.363
 * with 16 streams.
 */
export const DEFAULT_CORPUS_STREAMS = 64;
/**
 * With subwords a hidden vector is the mean of a word's rows and n-gram rows that other words share, and their capped
 * steps, taken with the output rows' in the same batch, still overshot: 16 words with 2,000 buckets went to NaN in the
 * first epoch (skipgram, seed 1, batches of 1024). Counting the input rows' curvature twice keeps them stable, at
 * mean_rho 0.3218 instead of 0.3426 on the 1 M-word corpus (skipgram, 3 epochs, dim 50, seed 1; the CPU engine 0.2840
 * on one thread). Counting it twice without subwords cost skipgram 0.04 there, so it is not done.
 */
const SUBWORD_INPUT_CURVATURE_SCALE = 2;
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
  const corpusStreams = options.corpusStreams ?? DEFAULT_CORPUS_STREAMS;
  for (const [name, value] of [['batchExamples', batchExamples], ['batchesInFlight', batchesInFlight], ['corpusStreams', corpusStreams]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name}: expected a positive integer, got ${value}`);
  }
  const log = options.onLog ?? (() => {});
  const dim = hp.vector_dim;
  const nwords = vocabulary.size;
  const subwords = hp.subwords ? buildSubwordIndex(vocabulary, hp.min_char, hp.max_char, hp.buckets) : undefined;
  // With subwords, n-gram bucket b is input row nwords + b, as in the CPU engine.
  const inputRows = nwords + (subwords ? hp.buckets : 0);
  const resumed = options.resumeFrom;
  if (resumed !== undefined && (resumed.input.length !== inputRows * dim || resumed.output.length !== nwords * dim)) {
    throw new RangeError(
      `resumeFrom: expected ${inputRows} x ${dim} input and ${nwords} x ${dim} output values, got ${resumed.input.length} and ${resumed.output.length}`,
    );
  }

  const positions = corpus.tokens.length;
  const totalWork = hp.epochs * positions;
  const sampler = new ExampleSampler(
    corpus.tokens,
    vocabulary.keepProbabilities(hp.sampling_threshold),
    shuffledNegativeTable(vocabulary, seed),
    hp,
    { batchExamples, totalWork, corpusStreams },
    subwords && wordRowLists(nwords, subwords),
  );
  const model = new TensorSgns(
    backend.tf,
    dim,
    resumed?.input ?? initialInputRows(inputRows, dim, seed),
    resumed?.output ?? new Float32Array(nwords * dim),
    subwords ? SUBWORD_INPUT_CURVATURE_SCALE : 1,
  );
  log(`Training ${hp.mode}${subwords ? ' with subwords' : ''} on tensors (${backend.name}) in batches of ${batchExamples} examples`, {
    backend: backend.name,
    device: backend.device,
    batchExamples,
    batchesInFlight,
    corpusStreams,
  });

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
      if (evaluate) await options.onEpochEnd!(epoch + 1, () => word2VecVectors(vocabulary, hp, input, subwords));
      const state: Word2VecTrainingState = { completedEpochs: epoch + 1, counters: { processed: (epoch + 1) * positions, loss: [loss.sum, loss.examples] }, input, output };
      await options.onCheckpoint?.(state);
    }
    report(totalWork);
    const seconds = (performance.now() - started) / 1000;
    const { input, output } = await model.matrices();
    if ((findNonFinite(input) ?? findNonFinite(output)) !== undefined) throw new TrainingDivergedError(hp.epochs, 'vectors contain NaN or infinity');
    const wordsPerSecond = seconds > 0 ? ((hp.epochs - firstEpoch) * corpus.tokenCount) / seconds : 0;
    log(`Trained ${hp.epochs - firstEpoch} epochs on tensors (${backend.name}): peak tensor memory ${(model.peakBytes / 2 ** 20).toFixed(1)} MiB`, {
      backend: backend.name,
      device: backend.device,
      batchExamples,
      seconds,
      wordsPerSecond,
      peakTensorBytes: model.peakBytes,
    });
    const vectors = word2VecVectors(vocabulary, hp, input, subwords);
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
  if (options.replicas !== undefined) throw new InputDataError('replicas', 'training on several hosts is not supported on tensors');
}

/** Every word's input rows, packed: word w's are rows[offsets[w]..offsets[w + 1]), the word's own row first, then its n-grams'. */
interface WordRowLists {
  offsets: Int32Array;
  rows: Int32Array;
}

function wordRowLists(nwords: number, subwords: SubwordIndex): WordRowLists {
  const offsets = new Int32Array(nwords + 1);
  const rows = new Int32Array(nwords + subwords.rows.length);
  let at = 0;
  for (let w = 0; w < nwords; w++) {
    rows[at++] = w;
    for (let i = subwords.offsets[w]!; i < subwords.offsets[w + 1]!; i++) rows[at++] = nwords + subwords.rows[i]!;
    offsets[w + 1] = at;
  }
  return { offsets, rows };
}

/**
 * Examples that one mini-batch trains. Example e has `outputsPerExample` output rows at outputs[e * outputsPerExample...]:
 * its target word, then its negative samples, with weight 1, or 0 for a sample equal to the target (the CPU engine
 * drops it). Its hidden vector is its input row (skipgram: inputRows[e]) or the weighted sum of the input rows r with
 * inputExamples[r] = e (cbow: the context words' rows; with subwords a word's rows are its own and its n-grams'; each
 * weighs 1 / their count); every input row gets the hidden gradient.
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
 * one step at a time would have slowed down. An input row counts its example's whole hidden curvature, whatever its
 * weight in the hidden vector: all the rows of an example (cbow's context words; with subwords, a word's n-grams)
 * take the same step, so the hidden vector moves by that step. Without the caps the output rows of frequent words, a
 * hundred or more times in a batch as negatives, overshoot: skipgram on the 1 M-word corpus diverged in batches of
 * 4096, and on a vocabulary of 16 words in batches of 1024; cbow with subwords on those 16 words, its n-gram rows
 * capped by their weight, made every word vector alike. With the whole curvature cbow scored higher (mean_rho 0.2196
 * and 0.1817 for seeds 1 and 2 on the 1 M-word corpus read in one stream, against 0.2054 and 0.1695 weighted by the
 * row's weight^2).
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
  readonly #inputCurvatureScale: number;

  /**
   * `input` and `output`: rows x dim packed (input: the words' rows, then with subwords the n-gram buckets').
   * `inputCurvatureScale` multiplies the input rows' curvatures (their steps capped sooner): SUBWORD_INPUT_CURVATURE_SCALE
   * with subwords.
   */
  constructor(tf: Tfjs, dim: number, input: Float32Array, output: Float32Array, inputCurvatureScale = 1) {
    this.#tf = tf;
    this.#dim = dim;
    this.#inputCurvatureScale = inputCurvatureScale;
    this.input = tf.tensor2d(input, [input.length / dim, dim]);
    this.output = tf.tensor2d(output, [output.length / dim, dim]);
    this.#rows = rowOps(tf);
    this.#inputRows = new DistinctRows(input.length / dim);
    this.#outputRows = new DistinctRows(output.length / dim);
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
      // What each input row of an example counts of its curvature (see inputCurvatureScale).
      const rowCurvatures = this.#inputCurvatureScale === 1 ? hiddenCurvatures : (hiddenCurvatures.mul(this.#inputCurvatureScale) as Tensor1D);
      const inputGradients = inputExamples ? gather(hiddenGradients, inputExamples) : hiddenGradients;
      const inputCurvatures = inputExamples ? tf.gather(rowCurvatures, inputExamples) : rowCurvatures;
      const loss = tf.neg(tf.logSigmoid(scores.mul(labels.mul(2).sub(1))).mul(weights).sum()) as Scalar;
      // Every read of the matrices is above: on the pure-JS backend tensorScatterUpdate writes into them in place.
      const nextOutput = this.#addToRows(this.output, outputRows, outputGradients, outputCurvatures);
      const nextInput = this.#addToRows(this.input, inputRows, inputGradients, inputCurvatures);
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
 * Where each of `streams` equal parts of the corpus starts (and the last ends): past its equal share, after the
 * first line end within MAX_SENTENCE positions, so that no line is cut in two (a longer line is cut into sentences
 * anyway). A part of a short corpus may be empty.
 */
function streamStarts(tokens: Int32Array, streams: number): Int32Array {
  const starts = new Int32Array(streams + 1);
  starts[streams] = tokens.length;
  for (let k = 1; k < streams; k++) {
    const share = Math.max(Math.floor((k * tokens.length) / streams), starts[k - 1]!);
    const limit = Math.min(tokens.length, share + MAX_SENTENCE);
    let at = share;
    while (at < limit && at > 0 && tokens[at - 1]! >= 0) at++;
    starts[k] = at < limit || at === tokens.length ? at : share;
  }
  return starts;
}

/**
 * Samples the examples of an epoch as the CPU kernel (trainChunk) does: sentences end at line ends or after
 * MAX_SENTENCE kept words, frequent words are dropped with the vocabulary's keep probabilities, each position draws
 * its window's shrink b in [0, window), the learning rate decays with the positions read, and negatives are read
 * sequentially from the shuffled table from a random start. The corpus is read in corpusStreams equal parts at once,
 * a sentence of each in turn. Each epoch's draws depend only on (seed, epoch).
 */
export class ExampleSampler {
  readonly #sentence = new Int32Array(MAX_SENTENCE);
  #length = 0;
  #center = 0;
  #alpha = 0;
  #position = 0;
  #positionsBefore = 0;
  /** Stream k's part is [#streamStarts[k], #streamStarts[k + 1]), read on from #cursors[k]; sentences come from each in turn. */
  readonly #streamStarts: Int32Array;
  #cursors = new Int32Array(0);
  #stream = 0;
  #negativeAt = 0;
  #random = new EpochRandom(0);
  readonly #cbow: boolean;
  /** Examples list their input rows (cbow, or subwords): otherwise example e's one input row is inputRows[e]. */
  readonly #listsRows: boolean;
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
    readonly sizes: { batchExamples: number; totalWork: number; corpusStreams: number },
    /** With subwords: each word's input rows. */
    readonly wordRows?: WordRowLists,
  ) {
    this.#cbow = hp.mode === 'cbow';
    this.#listsRows = this.#cbow || wordRows !== undefined;
    this.#window = hp.window_size;
    this.#width = 1 + hp.negative_samples;
    this.#learningRate = hp.learning_rate;
    // A skipgram position adds up to 2 x window examples, so a batch ends up to that many past batchExamples.
    const { batchExamples } = sizes;
    const examples = batchExamples + 2 * this.#window;
    let rowsPerWord = 1;
    if (wordRows) for (let w = 0; w + 1 < wordRows.offsets.length; w++) rowsPerWord = Math.max(rowsPerWord, wordRows.offsets[w + 1]! - wordRows.offsets[w]!);
    this.#outputs = new Int32Array(examples * this.#width);
    this.#outputWeights = new Float32Array(this.#outputs.length);
    this.#alphas = new Float32Array(examples);
    this.#inputRows = new Int32Array((this.#cbow ? batchExamples * 2 * this.#window : examples) * rowsPerWord);
    this.#inputExamples = new Int32Array(this.#listsRows ? this.#inputRows.length : 0);
    this.#inputWeights = new Float32Array(this.#inputExamples.length);
    this.#streamStarts = streamStarts(tokens, sizes.corpusStreams);
  }

  /** Token positions of this epoch read so far (sentences are read whole, ahead of their examples). */
  get positionsRead(): number {
    return this.#position;
  }

  startEpoch(epoch: number, seed: number): void {
    this.#random = epochRandom(seed, epoch);
    this.#negativeAt = this.#random.below(this.negatives.length);
    this.#position = 0;
    this.#cursors = this.#streamStarts.slice(0, -1);
    this.#stream = 0;
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
    while (examples < this.sizes.batchExamples) {
      if (this.#center >= this.#length && !this.#readSentence()) break;
      const i = this.#center++;
      const shrink = this.#random.below(window);
      const lo = Math.max(0, i - window + shrink);
      const hi = Math.min(this.#length, i + window - shrink + 1);
      if (this.#cbow) {
        const first = inputs;
        for (let c = lo; c < hi; c++) if (c !== i) inputs = this.#addInputRows(sentence[c]!, examples, inputs);
        this.#weighInputRows(first, inputs);
        this.#addExample(examples++, sentence[i]!);
      } else if (this.#listsRows) {
        for (let c = lo; c < hi; c++) {
          if (c === i) continue;
          const first = inputs;
          inputs = this.#addInputRows(sentence[i]!, examples, inputs);
          this.#weighInputRows(first, inputs);
          this.#addExample(examples++, sentence[c]!);
        }
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
      inputRows: this.#inputRows.slice(0, this.#listsRows ? inputs : examples),
    };
    if (this.#listsRows) {
      batch.inputExamples = this.#inputExamples.slice(0, inputs);
      batch.inputWeights = this.#inputWeights.slice(0, inputs);
    }
    return batch;
  }

  /** Appends the input rows of `word` (with subwords, its own and its n-grams') to example `example`'s; returns the new count. */
  #addInputRows(word: number, example: number, inputs: number): number {
    const lists = this.wordRows;
    if (lists === undefined) {
      this.#inputRows[inputs] = word;
      this.#inputExamples[inputs] = example;
      return inputs + 1;
    }
    for (let r = lists.offsets[word]!; r < lists.offsets[word + 1]!; r++) {
      this.#inputRows[inputs] = lists.rows[r]!;
      this.#inputExamples[inputs++] = example;
    }
    return inputs;
  }

  /** Input rows [first, end) make one hidden vector: their mean. */
  #weighInputRows(first: number, end: number): void {
    const weight = 1 / (end - first);
    for (let r = first; r < end; r++) this.#inputWeights[r] = weight;
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

  /** Reads the next sentence of two or more kept words, from the next stream that has one; false at the end of the corpus. */
  #readSentence(): boolean {
    const { tokens, keep } = this;
    const sentence = this.#sentence;
    const cursors = this.#cursors;
    for (let tried = 0; tried < cursors.length; ) {
      const k = this.#stream;
      let at = cursors[k]!;
      const end = this.#streamStarts[k + 1]!;
      if (at >= end) {
        this.#stream = (k + 1) % cursors.length;
        tried++;
        continue;
      }
      tried = 0;
      let length = 0;
      const from = at;
      while (at < end && length < MAX_SENTENCE) {
        const word = tokens[at++]!;
        if (word < 0) break;
        if (keep[word]! < this.#random.uniform()) continue;
        sentence[length++] = word;
      }
      cursors[k] = at;
      this.#position += at - from;
      if (length < 2) continue;
      this.#stream = (k + 1) % cursors.length;
      const progress = Math.min(1, (this.#positionsBefore + this.#position) / this.sizes.totalWork);
      this.#alpha = this.#learningRate * Math.max(1 - progress, MIN_ALPHA_SHARE);
      this.#length = length;
      this.#center = 0;
      return true;
    }
    return false;
  }
}
