/** Progress of a running training, emitted every second or so. */
export interface TrainingProgress {
  /** Current learning rate after linear decay. */
  alpha: number;
  /** Fraction of all epochs done, 0..1. */
  progress: number;
  epoch: number;
  /** Corpus tokens processed per second since training started, all threads together. */
  wordsPerSecond: number;
  /** Estimated seconds left. */
  etaSeconds: number;
  /** Average training loss since the last report. */
  loss: number;
}

/** A named metric value, as SageMaker metric definitions see them (`train:mean_rho`). */
export interface MetricEvent {
  name: string;
  value: number;
  epoch?: number;
}

/** What a long-running service (a worker, the scheduler) logs through: structured fields and a message; pino fits. */
export interface ServiceLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
