import { pino, type Logger } from 'pino';
import { BlazefleetError, type MetricEvent, type TrainingProgress } from '@blazefleet/core';
import { metricLine } from './metric-line.js';
import { isSupervisedResult, type TrainingReporter, type TrainingResult, type TrainingStart } from './training-reporter.js';

/** pino JSON lines: one record per progress tick, metric, milestone and result; no pid or hostname. */
export class JsonTrainingReporter implements TrainingReporter {
  private readonly logger: Logger;
  private epochs = 1;

  constructor(out: NodeJS.WritableStream) {
    this.logger = pino({ base: null }, out as pino.DestinationStream);
  }

  started(start: TrainingStart): void {
    this.epochs = start.hyperparameters.epochs;
    this.logger.info({ ...start }, 'training started');
  }

  progress(p: TrainingProgress): void {
    this.logger.info(
      { alpha: p.alpha, progress: p.progress, wordsPerSecond: p.wordsPerSecond, etaSeconds: p.etaSeconds, epoch: p.epoch, loss: p.loss },
      'progress',
    );
  }

  metric(event: MetricEvent): void {
    // Metrics of the finished model come without an epoch: they belong to the last one, marked final.
    const final = event.epoch === undefined;
    const metric = { ...event, epoch: event.epoch ?? this.epochs };
    this.logger.info({ metric: metric.name, value: metric.value, epoch: metric.epoch, final, line: metricLine(metric) }, 'metric');
  }

  log(message: string, fields?: Record<string, unknown>): void {
    this.logger.info({ ...fields }, message);
  }

  finished(result: TrainingResult): void {
    if (isSupervisedResult(result)) {
      const { outputDir, files, labels, vocabularySize, bestEpoch, stoppedEarly, seconds, tokensPerSecond } = result;
      this.logger.info({ outputDir, files, labels, vocabularySize, bestEpoch, stoppedEarly, seconds, tokensPerSecond }, 'training finished');
      // The per-label scores and the confusion matrix are in metrics.json; the log keeps the headline.
      if (result.metrics) this.logger.info({ validation: { examples: result.metrics.examples, accuracy: result.metrics.accuracy } }, 'evaluation');
      return;
    }
    const { outputDir, files, vocabularySize, tokenCount, seconds, wordsPerSecond } = result;
    this.logger.info({ outputDir, files, vocabularySize, tokenCount, seconds, wordsPerSecond }, 'training finished');
    if (result.eval) this.logger.info({ eval: result.eval }, 'evaluation');
    if (result.analogies) this.logger.info({ analogies: result.analogies }, 'analogies');
  }

  failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const fields: Record<string, unknown> = { error: error instanceof Error ? error.name : 'Error' };
    if (error instanceof BlazefleetError) {
      fields.exitCode = error.exitCode;
      if ('field' in error) fields.field = error.field;
      if ('source' in error) fields.source = error.source;
    }
    this.logger.error(fields, message);
  }
}
