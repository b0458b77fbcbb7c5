import type { MetricEvent, TrainingProgress } from '@blazefleet/core';
import type { SupervisedJobResult, Word2VecJobResult } from '@blazefleet/algorithms';
import { metricLine } from './metric-line.js';
import { isSupervisedResult, type TrainingReporter, type TrainingResult, type TrainingStart } from './training-reporter.js';

function formatEta(seconds: number): string {
  const total = Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : 0;
  return `${Math.floor(total / 3600)}h ${Math.floor((total % 3600) / 60)}m ${total % 60}s`;
}

export function progressLine(p: TrainingProgress): string {
  return (
    `Alpha: ${p.alpha.toFixed(4)}  Progress: ${(p.progress * 100).toFixed(2)}%  ` +
    `Million Words/sec: ${(p.wordsPerSecond / 1e6).toFixed(2)}  ETA: ${formatEta(p.etaSeconds)}`
  );
}

/** Milestone fields stay in the JSON log; at a terminal only their warnings are worth a line each. */
function warningsOf(fields: Record<string, unknown> | undefined): string[] {
  const warnings = fields?.warnings;
  if (!Array.isArray(warnings)) return [];
  return warnings.map((w: { reason?: unknown; count?: unknown }) => `warning: ${String(w.reason)} (${String(w.count)} times)`);
}

/** BlazingText-style log lines; at a terminal the progress line is rewritten in place. */
export class TextTrainingReporter implements TrainingReporter {
  private readonly inPlace: boolean;
  private openLineLength = 0;
  private epochs = 1;
  /** Metrics of the finished model (no epoch) are printed after the evaluation, where BlazingText prints them. */
  private readonly finalMetrics: MetricEvent[] = [];

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.inPlace = out.isTTY === true;
  }

  started(start: TrainingStart): void {
    this.epochs = start.hyperparameters.epochs;
  }

  progress(p: TrainingProgress): void {
    const line = progressLine(p);
    if (!this.inPlace) {
      this.out.write(`${line}\n`);
      return;
    }
    this.out.write(`\r${line.padEnd(this.openLineLength)}`);
    this.openLineLength = line.length;
  }

  metric(metric: MetricEvent): void {
    if (metric.epoch === undefined) this.finalMetrics.push({ ...metric, epoch: this.epochs });
    else this.line(metricLine(metric));
  }

  log(message: string, fields?: Record<string, unknown>): void {
    this.line(message);
    for (const warning of warningsOf(fields)) this.line(warning);
  }

  finished(result: TrainingResult): void {
    this.line('Training finished!');
    const wordsPerSecond = isSupervisedResult(result) ? result.tokensPerSecond : result.wordsPerSecond;
    this.line(`Average throughput in Million words/sec: ${(wordsPerSecond / 1e6).toFixed(2)}`);
    this.line(`Total training time in seconds: ${result.seconds.toFixed(2)}`);
    if (isSupervisedResult(result)) this.supervisedSummary(result);
    else this.word2vecSummary(result);
  }

  private word2vecSummary(result: Word2VecJobResult): void {
    if (result.eval) {
      this.line('Evaluating word embeddings....');
      this.line(JSON.stringify(result.eval, null, 4));
    }
    if (result.analogies) {
      const { semantic, syntactic, overall, skipped } = result.analogies;
      const part = (name: string, s: { correct: number; total: number; accuracy: number }) =>
        `${name}: ${(s.accuracy * 100).toFixed(2)}% (${s.correct}/${s.total})`;
      this.line(`Analogies: ${part('semantic', semantic)}  ${part('syntactic', syntactic)}  ${part('overall', overall)}  skipped: ${skipped}`);
    }
    for (const metric of this.finalMetrics) this.line(metricLine(metric));
  }

  /** BlazingText prints the validation accuracy, then the number of examples it was measured on. */
  private supervisedSummary(result: SupervisedJobResult): void {
    if (result.stoppedEarly) this.line(`Stopped early: no improvement in validation accuracy; kept epoch ${result.bestEpoch}`);
    for (const metric of this.finalMetrics) this.line(metricLine(metric));
    if (result.metrics) this.line(`Number of validation examples: ${result.metrics.examples}`);
  }

  failed(): void {
    this.closeProgressLine();
  }

  private line(text: string): void {
    this.closeProgressLine();
    this.out.write(`${text}\n`);
  }

  private closeProgressLine(): void {
    if (this.openLineLength === 0) return;
    this.out.write('\n');
    this.openLineLength = 0;
  }
}
