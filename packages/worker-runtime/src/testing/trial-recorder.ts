import type { SecondaryStatus, TrialEvents, TrialMetric, TrialProgress } from '../index.js';

/** TrialEvents that keep everything they are told, and can wait for a log line. */
export class TrialRecorder implements TrialEvents {
  readonly statuses: { status: SecondaryStatus; message: string }[] = [];
  readonly lines: string[] = [];
  readonly batches: number[] = [];
  readonly metrics: TrialMetric[] = [];
  readonly progresses: TrialProgress[] = [];
  private waiters: { pattern: RegExp; resolve: (match: RegExpExecArray) => void }[] = [];

  secondaryStatus(status: SecondaryStatus, message: string): void {
    this.statuses.push({ status, message });
  }

  logLines(lines: string[]): void {
    this.batches.push(lines.length);
    this.lines.push(...lines);
    for (const line of lines) {
      this.waiters = this.waiters.filter(({ pattern, resolve }) => {
        const match = pattern.exec(line);
        if (match !== null) resolve(match);
        return match === null;
      });
    }
  }

  metric(metric: TrialMetric): void {
    this.metrics.push(metric);
  }

  progress(progress: TrialProgress): void {
    this.progresses.push(progress);
  }

  get statusNames(): SecondaryStatus[] {
    return this.statuses.map(({ status }) => status);
  }

  /** Resolves with the match of the first log line (from now on or already seen) that matches `pattern`. */
  waitForLine(pattern: RegExp): Promise<RegExpExecArray> {
    for (const line of this.lines) {
      const match = pattern.exec(line);
      if (match !== null) return Promise.resolve(match);
    }
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }
}
