import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { HyperparameterError, InputDataError, type MetricEvent, type TrainingProgress, type Word2VecHyperparameters } from '@blazefleet/core';
import { publishModelArtifacts, type ArtifactStaging } from './artifact-staging.js';
import { connectReplicaRing, type ReplicaRing } from './distributed/replica-ring.js';
import type { RingAllReduceOptions } from './distributed/ring-allreduce.js';
import { joinShards, type JoinedShards } from './distributed/sharded-corpus.js';
import { fingerprintTextInput, fingerprintVocabulary } from './checkpoint/input-fingerprint.js';
import { JobCheckpoints, type SavedTraining } from './checkpoint/job-checkpoints.js';
import { readCorpus, scanCorpus, type Corpus } from './corpus.js';
import { readAnalogyQuestions, scoreAnalogies, type AnalogyResult } from './eval/analogy.js';
import { evaluateWordSimilaritySets, loadWordSimilaritySets, type EvalJson } from './eval/word-similarity.js';
import { writeFastTextModel, type FastTextModel } from './formats/fasttext-model.js';
import { writeWord2VecBinary } from './formats/word2vec-binary.js';
import { writeWord2VecText } from './formats/word2vec-text.js';
import { SparseRowMatrix } from './sparse-row-matrix.js';
import { requireTextInput } from './text-file.js';
import { trainWord2Vec, type TrainedWord2Vec, type Word2VecTrainingOptions, type Word2VecTrainingState } from './word2vec/trainer.js';
import type { WordVectors } from './word-vectors.js';

export interface Word2VecJobOptions {
  /** A plain or gzip text file, or a directory of them read as one corpus (see listTextInput). */
  trainPath: string;
  outputDir: string;
  hyperparameters: Word2VecHyperparameters;
  threads?: number;
  seed?: number;
  /** Emit train:mean_rho after every epoch (needs evaluation). */
  evaluateEveryEpoch?: boolean;
  /** Extra gold word-similarity files evaluated like WS-353. */
  wordSimilarityFiles?: string[];
  /** questions-words.txt style analogy file. */
  analogiesPath?: string;
  onProgress?: (progress: TrainingProgress) => void;
  onMetric?: (metric: MetricEvent) => void;
  /** Milestones: corpus read, vocabulary size, training finished, artifacts written. */
  onLog?: (message: string, fields?: Record<string, unknown>) => void;
  signal?: AbortSignal;
  /**
   * Where the training state is saved after every epoch (the latest only). A run that finds a checkpoint of the same
   * job there (same hyperparameters, except that epochs may be larger; same seed, training files and vocabulary) goes
   * on after its last epoch.
   */
  checkpointDir?: string;
  /**
   * Train as one host of several (batch_skipgram): every host reads the whole corpus (the same vocabulary on all;
   * see shardedInput for hosts that read a part each), trains on its 1/N slice and synchronizes the model with the
   * others every `syncPositions` positions; rank 0 alone writes the artifacts, the other ranks return with no files.
   * Heartbeats watch the connections between hosts (heartbeatMs, silenceTimeoutMs: see RingAllReduceOptions).
   */
  distributed?: DistributedWord2VecOptions;
  /** What trains the model from the corpus the job read (default trainWord2Vec, the WebAssembly engine; the GPU worker passes a tensor trainer). */
  trainer?: (options: Word2VecTrainingOptions) => Promise<TrainedWord2Vec>;
}

export interface DistributedWord2VecOptions extends RingAllReduceOptions {
  /** Positions each host trains between two syncs (default DEFAULT_SYNC_POSITIONS). */
  syncPositions?: number;
  /**
   * Each host's trainPath holds only its own shard of the corpus (SageMaker's ShardedByS3Key), not the whole corpus
   * (FullyReplicated, the default: false). The hosts then sum their word counts before training, so that all have the
   * same vocabulary (min_count applies to the sums), and each trains all of its shard; tokenCount and words/s are the
   * job's. Shards may differ in size: each host syncs as often per epoch, after an equal share of its own shard.
   */
  shardedInput?: boolean;
}

export interface Word2VecJobResult {
  outputDir: string;
  /** Artifact file names written into outputDir. */
  files: string[];
  eval?: EvalJson;
  analogies?: AnalogyResult;
  vocabularySize: number;
  /** Word tokens of the corpus (min_count applied), of all shards together with distributed.shardedInput. */
  tokenCount: number;
  /** Training time (corpus reading, evaluation and writing excluded), as wordsPerSecond is. */
  seconds: number;
  wordsPerSecond: number;
}

export const MEAN_RHO_METRIC = 'train:mean_rho';
export const ANALOGY_ACCURACY_METRIC = 'train:analogy_accuracy';

/** The fastText .bin that BlazingText writes with subwords, so that unknown words get vectors after loading it. */
function fastTextModelOf(trained: TrainedWord2Vec, rawTokenCount: number): FastTextModel {
  const hp = trained.hyperparameters;
  return {
    args: {
      dim: hp.vector_dim,
      ws: hp.window_size,
      epoch: hp.epochs,
      minCount: hp.min_count,
      neg: hp.negative_samples,
      wordNgrams: 1,
      loss: 'ns',
      model: hp.mode === 'cbow' ? 'cbow' : 'sg',
      bucket: hp.buckets,
      minn: hp.min_char,
      maxn: hp.max_char,
      lrUpdateRate: 100,
      t: hp.sampling_threshold,
    },
    words: trained.vocabulary.words,
    counts: trained.vocabulary.counts,
    labels: [],
    labelCounts: new Float64Array(0),
    ntokens: rawTokenCount,
    input: SparseRowMatrix.dense(trained.input, hp.vector_dim),
    output: trained.output,
  };
}

function savedWord2Vec(state: Word2VecTrainingState): SavedTraining {
  return { completedEpochs: state.completedEpochs, counters: state.counters, matrices: { input: state.input, output: state.output }, details: {} };
}

function word2vecState(saved: SavedTraining, inputFloats: number, outputFloats: number): Word2VecTrainingState {
  const { input, output } = saved.matrices;
  if (input?.length !== inputFloats) throw new Error(`input: expected ${inputFloats} floats, got ${input?.length ?? 'none'}`);
  if (output?.length !== outputFloats) throw new Error(`output: expected ${outputFloats} floats, got ${output?.length ?? 'none'}`);
  return { completedEpochs: saved.completedEpochs, counters: saved.counters, input, output };
}

/**
 * Reads the corpus, trains, evaluates and writes vectors.txt, vectors.bin, eval.json, model.bin (subwords)
 * and model.tar.gz into outputDir. Nothing is left half-written: artifacts appear only once all succeeded.
 */
export async function runWord2VecJob(options: Word2VecJobOptions): Promise<Word2VecJobResult> {
  const hp = options.hyperparameters;
  const { distributed } = options;
  if (distributed && distributed.hosts.length > 1 && hp.mode !== 'batch_skipgram') {
    throw new HyperparameterError('mode', `batch_skipgram to train on ${distributed.hosts.length} hosts (BlazingText trains only batch_skipgram on several)`, hp.mode);
  }
  if (distributed && options.checkpointDir !== undefined) throw new InputDataError('checkpointDir', 'checkpoints are not supported in distributed training');
  const log = options.onLog ?? (() => {});
  const metric = options.onMetric ?? (() => {});
  await requireTextInput(options.trainPath, 'training file');
  const { checkpointDir } = options;
  const checkpointing = checkpointDir === undefined ? undefined : { dir: checkpointDir, train: await fingerprintTextInput(options.trainPath) };
  // Gold files are read before training so that a bad path fails in seconds, not after hours.
  const goldSets = hp.evaluation ? await loadWordSimilaritySets(options.wordSimilarityFiles) : [];
  const analogyQuestions = options.analogiesPath === undefined ? undefined : await readAnalogyQuestions(options.analogiesPath);

  const writesArtifacts = (distributed?.rank ?? 0) === 0;
  const stageArtifacts = writesArtifacts
    ? (stage: (staging: ArtifactStaging | undefined) => Promise<Omit<Word2VecJobResult, 'outputDir'>>) => publishModelArtifacts(options.outputDir, stage, log)
    : async (stage: (staging: ArtifactStaging | undefined) => Promise<Omit<Word2VecJobResult, 'outputDir'>>) => ({ ...(await stage(undefined)), outputDir: options.outputDir });
  const connect = async (distributed: DistributedWord2VecOptions): Promise<ReplicaRing> => {
    const replicas = await connectReplicaRing(distributed);
    if (replicas.index === 0) log(`Running distributed CPU BlazingText-style training using ${hp.mode} on ${replicas.count} hosts`, { hosts: distributed.hosts });
    log(`Host ${distributed.hosts[replicas.index]} is rank ${replicas.index} of ${replicas.count}`, { rank: replicas.index, hosts: distributed.hosts });
    return replicas;
  };
  return stageArtifacts(async (staging) => {
    let corpus: Corpus;
    let replicas: ReplicaRing | undefined;
    let shards: JoinedShards | undefined;
    if (distributed?.shardedInput) {
      // Connected first: shards of different sizes take different times to read, and the hosts that read theirs first
      // then wait within the step timeout (10 min by default), with heartbeats, rather than the connect timeout.
      replicas = await connect(distributed);
      try {
        const shard = await scanCorpus(options.trainPath);
        log(`Read ${shard.rawTokenCount} words of this host's shard`, { rawTokenCount: shard.rawTokenCount, warnings: shard.warnings });
        shards = await joinShards(replicas, shard, hp.min_count, distributed.hosts);
      } catch (error) {
        replicas.close();
        throw error;
      }
      corpus = shards.corpus;
      log(`Vocabulary: ${corpus.vocabulary.size} words, of the shards of all ${replicas.count} hosts`, {
        vocabularySize: corpus.vocabulary.size,
        minCount: hp.min_count,
        rawTokenCount: shards.rawTokenCount,
        tokenCount: shards.tokenCount,
        shardTokenCount: corpus.tokenCount,
      });
    } else {
      corpus = await readCorpus(options.trainPath, { minCount: hp.min_count });
      log(`Read ${corpus.rawTokenCount} words`, { rawTokenCount: corpus.rawTokenCount, tokenCount: corpus.tokenCount, warnings: corpus.warnings });
      log(`Vocabulary: ${corpus.vocabulary.size} words`, { vocabularySize: corpus.vocabulary.size, minCount: hp.min_count });
      if (corpus.vocabulary.size === 0 || corpus.tokenCount === 0) {
        throw new InputDataError(options.trainPath, `no word occurs at least min_count=${hp.min_count} times`);
      }
    }

    const vocabulary = fingerprintVocabulary(corpus.vocabulary);
    const checkpoints =
      checkpointing && new JobCheckpoints(checkpointing.dir, { hyperparameters: hp, seed: options.seed ?? 1, inputs: { train: checkpointing.train }, vocabulary }, log);
    const inputRows = corpus.vocabulary.size + (hp.subwords ? hp.buckets : 0);
    const resumeFrom = await checkpoints?.latest((saved) => word2vecState(saved, inputRows * hp.vector_dim, corpus.vocabulary.size * hp.vector_dim));

    const onEpochEnd =
      options.evaluateEveryEpoch && hp.evaluation
        ? (epoch: number, vectors: () => WordVectors): void => {
            const rho = evaluateWordSimilaritySets(vectors(), goldSets).mean_rho;
            metric({ name: MEAN_RHO_METRIC, value: rho, epoch });
          }
        : undefined;
    if (distributed && !replicas) replicas = await connect(distributed);
    const train = options.trainer ?? trainWord2Vec;
    const trained = await train({
      corpus,
      ...(replicas ? { replicas: shards ? { ...replicas, shards: { positions: shards.positions, tokenCount: shards.tokenCount } } : replicas } : {}),
      hyperparameters: hp,
      threads: options.threads,
      seed: options.seed,
      onProgress: options.onProgress,
      onEpochEnd,
      signal: options.signal,
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
      ...(checkpoints === undefined ? {} : { onCheckpoint: (state: Word2VecTrainingState) => checkpoints.save(savedWord2Vec(state)) }),
    }).finally(() => replicas?.close());
    if (replicas) {
      log(`Trained on ${replicas.count} hosts: ${Math.round(trained.wordsPerSecond)} words/s for the whole job, ${(replicas.bytesSent / 2 ** 20 / trained.seconds).toFixed(1)} MB/s sent to sync`, {
        rank: replicas.index,
        wordsPerSecond: trained.wordsPerSecond,
        syncBytesSent: replicas.bytesSent,
        seconds: trained.seconds,
        vocabularySha256: vocabulary.sha256,
        vectorsSha256: createHash('sha256').update(trained.vectors.matrix).digest('hex'),
      });
    }
    if (!staging) return { files: [], vocabularySize: corpus.vocabulary.size, tokenCount: trained.tokenCount, seconds: trained.seconds, wordsPerSecond: trained.wordsPerSecond };
    log(`Trained ${trained.epochs} epochs on ${trained.threads} thread${trained.threads === 1 ? '' : 's'}`, { seconds: trained.seconds, wordsPerSecond: trained.wordsPerSecond, threads: trained.threads });

    const vectors = trained.vectors;
    const files = ['vectors.txt', 'vectors.bin'];
    await writeWord2VecText(staging.path('vectors.txt'), vectors);
    await writeWord2VecBinary(staging.path('vectors.bin'), vectors);
    let evalJson: EvalJson | undefined;
    if (hp.evaluation) {
      evalJson = evaluateWordSimilaritySets(vectors, goldSets);
      metric({ name: MEAN_RHO_METRIC, value: evalJson.mean_rho });
      await writeFile(staging.path('eval.json'), JSON.stringify(evalJson, null, 4));
      files.push('eval.json');
    }
    let analogies: AnalogyResult | undefined;
    if (analogyQuestions !== undefined) {
      analogies = scoreAnalogies(vectors, analogyQuestions);
      metric({ name: ANALOGY_ACCURACY_METRIC, value: analogies.overall.accuracy });
    }
    if (hp.subwords) {
      await writeFastTextModel(staging.path('model.bin'), fastTextModelOf(trained, shards?.rawTokenCount ?? corpus.rawTokenCount));
      files.push('model.bin');
    }
    return {
      files,
      ...(evalJson === undefined ? {} : { eval: evalJson }),
      ...(analogies === undefined ? {} : { analogies }),
      vocabularySize: corpus.vocabulary.size,
      tokenCount: trained.tokenCount,
      seconds: trained.seconds,
      wordsPerSecond: trained.wordsPerSecond,
    };
  });
}
