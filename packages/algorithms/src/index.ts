export { SENTENCE_END, readCorpus, scanCorpus, type Corpus, type ReadCorpusOptions, type ScannedCorpus } from './corpus.js';
export { Vocabulary } from './vocabulary.js';
export { fastTextHash, characterNgrams, ngramBuckets, buildSubwordIndex, type SubwordIndex } from './subwords.js';
export { WordVectors, type SubwordVectors, type SimilarWord, type SimilarityQuery } from './word-vectors.js';
export { TopRows, offerRowsByDot, writeUnitRows, type ScoredRow } from './nearest-rows.js';
export { writeWord2VecText, readWord2VecText, formatFloat32 } from './formats/word2vec-text.js';
export { writeWord2VecBinary, readWord2VecBinary } from './formats/word2vec-binary.js';
export { writeFastTextModel, readFastTextModel, wordVectorsFromFastTextModel, type FastTextModel, type MatrixStorage } from './formats/fasttext-model.js';
export { SparseRowMatrix } from './sparse-row-matrix.js';
export { trainWord2Vec, word2VecVectors, type ModelReplicas, type Word2VecTrainingOptions, type TrainedWord2Vec, type Word2VecTrainingState } from './word2vec/trainer.js';
export { NEGATIVE_TABLE_SIZE, shuffledNegativeTable } from './word2vec/sampling-tables.js';
export { findNonFinite } from './kernels/training-threads.js';
export { spearman } from './eval/spearman.js';
export {
  readWordSimilarityFile,
  evaluateWordSimilarity,
  evaluateWordSimilarityFiles,
  type WordPair,
  type WordSimilarityResult,
  type EvalJson,
} from './eval/word-similarity.js';
export { evaluateAnalogies, type AnalogyResult, type AnalogySection } from './eval/analogy.js';
export { DEFAULT_HEARTBEAT_MS, DEFAULT_SILENCE_TIMEOUT_MS, RingAllReduce, type RingAllReduceOptions } from './distributed/ring-allreduce.js';
export { PeerLostError } from './distributed/peer-lost-error.js';
export { connectReplicaRing, DEFAULT_SYNC_POSITIONS, type ReplicaRing } from './distributed/replica-ring.js';
export { loopbackHosts } from './distributed/loopback-hosts.js';
export { runWord2VecJob, type DistributedWord2VecOptions, type Word2VecJobOptions, type Word2VecJobResult } from './word2vec-job.js';
export { extractModelArchive, writeModelArchive } from './model-archive.js';
export { listTextInput, readTextLines, type StreamTextFileOptions, type TextInputFile } from './text-file.js';
export { ArtifactStaging } from './artifact-staging.js';
export {
  LABEL_PREFIX,
  END_OF_LINE,
  LabeledDictionary,
  tokenizeText,
  readLabeledData,
  encodeLabeledFile,
  encodeTokens,
  type FeatureOptions,
  type LabeledExamples,
} from './supervised/labeled-data.js';
export { Classifier, classifierInputStorage, type Prediction } from './supervised/classifier.js';
export { endpointAnswer, type EndpointAnswer } from './supervised/endpoint-answer.js';
export { loadClassifier, loadModel, loadWordVectors, type LoadedModel } from './model-files.js';
export {
  trainClassifier,
  type SupervisedTrainingOptions,
  type TrainedClassifier,
  type EpochReport,
  type ClassifierTrainingState,
  type ClassifierWeights,
} from './supervised/trainer.js';
export {
  LABEL_NEGATIVE_TABLE_SIZE,
  buildLabelTree,
  classifierInputLayout,
  classifierInputMatrix,
  fillLabelNegatives,
  initialInputRows,
  type ClassifierInputLayout,
  type LabelTree,
} from './supervised/classifier-setup.js';
export { classificationMetrics, precisionAtK, type ClassificationMetrics, type LabelMetrics, type PrecisionAtK } from './supervised/metrics.js';
export { runSupervisedJob, type SupervisedJobOptions, type SupervisedJobResult } from './supervised-job.js';
export { CHECKPOINT_WRITTEN } from './checkpoint/job-checkpoints.js';
