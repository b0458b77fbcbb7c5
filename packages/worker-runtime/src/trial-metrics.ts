import type { MetricDefinition } from '@blazefleet/core';

/** One metric value of a trial; `timestamp` in milliseconds since the Unix epoch. */
export interface TrialMetric {
  name: string;
  value: number;
  timestamp: number;
  epoch?: number;
}

export type FinalMetric = Omit<TrialMetric, 'epoch'>;

/** Metric events kept for metrics.json at most; later ones still reach the worker and the final values. */
const MAX_RECORDED_EVENTS = 100_000;

/** Every metric event of a trial, and the final value of each metric. */
export class TrialMetrics {
  private readonly events: TrialMetric[] = [];
  private droppedEvents = 0;
  private readonly finals = new Map<string, FinalMetric>();

  /** Records `metric`; a `final` one becomes (or replaces) its metric's final value. */
  record(metric: TrialMetric, final: boolean): void {
    if (this.events.length < MAX_RECORDED_EVENTS) this.events.push(metric);
    else this.droppedEvents++;
    if (final) this.finals.set(metric.name, { name: metric.name, value: metric.value, timestamp: metric.timestamp });
  }

  get finalMetrics(): FinalMetric[] {
    return [...this.finals.values()];
  }

  /** metrics.json: every event in order, then the final values. */
  toJson(): string {
    const dropped = this.droppedEvents === 0 ? {} : { droppedEvents: this.droppedEvents };
    return `${JSON.stringify({ metrics: this.events, ...dropped, finalMetrics: this.finalMetrics }, null, 2)}\n`;
  }
}

/**
 * SageMaker metric definitions applied to log lines: a line matching a definition's regex gives a value of that
 * metric, the first capture group read as a number. Captures that are not finite numbers are no metric values.
 * The n-th value of a metric is its step n (`epoch`), which early stopping compares across trials.
 */
export class MetricScraper {
  private readonly definitions: { name: string; regex: RegExp }[];
  private readonly steps = new Map<string, number>();

  constructor(definitions: readonly MetricDefinition[]) {
    // The spec was validated: every regex compiles and has one capture group.
    this.definitions = definitions.map((definition) => ({ name: definition.name, regex: new RegExp(definition.regex) }));
  }

  scan(line: string, timestamp: number, onMetric: (metric: TrialMetric) => void): void {
    for (const { name, regex } of this.definitions) {
      const captured = regex.exec(line)?.[1];
      if (captured === undefined || captured.trim() === '') continue;
      const value = Number(captured);
      if (!Number.isFinite(value)) continue;
      const step = (this.steps.get(name) ?? 0) + 1;
      this.steps.set(name, step);
      onMetric({ name, value, timestamp, epoch: step });
    }
  }
}
