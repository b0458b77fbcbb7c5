/**
 * SageMaker's secondary statuses of a training job, as one attempt goes through them: Starting, Downloading, Training,
 * Uploading, then Completed, Failed, Stopped, MaxRuntimeExceeded (stopped at its maximum runtime) or Interrupted
 * (stopped because the worker shut down; another attempt follows).
 */
export type SecondaryStatus =
  | 'Starting'
  | 'Downloading'
  | 'Training'
  | 'Uploading'
  | 'Completed'
  | 'Failed'
  | 'Stopped'
  | 'MaxRuntimeExceeded'
  | 'Interrupted';

/** One entry of SecondaryStatusTransitions; times are ISO 8601, and the last entry has no end. */
export interface SecondaryStatusTransition {
  status: SecondaryStatus;
  startTime: string;
  endTime?: string;
  message: string;
}

/** The statuses an attempt went through, each reported (and awaited) as it is entered. */
export class SecondaryStatusTimeline {
  readonly transitions: SecondaryStatusTransition[] = [];
  private readonly startTimes = new Map<SecondaryStatus, number>();

  constructor(private readonly report: (status: SecondaryStatus, message: string) => void | Promise<void>) {}

  async enter(status: SecondaryStatus, message: string): Promise<void> {
    const now = Date.now();
    const time = new Date(now).toISOString();
    const previous = this.transitions.at(-1);
    if (previous !== undefined) previous.endTime = time;
    this.transitions.push({ status, startTime: time, message });
    this.startTimes.set(status, now);
    await this.report(status, message);
  }

  /** When `status` was entered, in milliseconds since the Unix epoch. */
  startOf(status: SecondaryStatus): number | undefined {
    return this.startTimes.get(status);
  }
}
