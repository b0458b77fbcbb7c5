/** Why a trial was stopped: asked to (StopTrainingJob), its maximum runtime, or its worker shutting down. */
export type StopReason = 'StopRequested' | 'MaxRuntimeExceeded' | 'WorkerShutdown';

/** setTimeout takes at most 2^31 - 1 ms (24.8 days); a maximum runtime may be 28 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The first stop of a trial, from the caller's AbortSignal (its reason 'WorkerShutdown', anything else meaning
 * 'StopRequested') or from the maximum runtime; later ones change nothing.
 */
export class TrialStop {
  reason: StopReason | undefined;
  private handler: (() => void) | undefined;
  private readonly onAbort: () => void;
  private deadline: NodeJS.Timeout | undefined;

  constructor(private readonly signal: AbortSignal | undefined) {
    this.onAbort = () => this.request(signal?.reason === 'WorkerShutdown' ? 'WorkerShutdown' : 'StopRequested');
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  request(reason: StopReason): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.handler?.();
  }

  /** Calls `handler` on a stop (at once when one came already) until the returned function is called. */
  whileRunning(handler: () => void): () => void {
    this.handler = handler;
    if (this.reason !== undefined) handler();
    return () => {
      this.handler = undefined;
    };
  }

  /** Requests MaxRuntimeExceeded `seconds` from now, unless cleared by `dispose` first. */
  limitRuntime(seconds: number): void {
    const end = Date.now() + seconds * 1000;
    const arm = (): void => {
      const left = end - Date.now();
      this.deadline = left > 0 ? setTimeout(arm, Math.min(left, MAX_TIMER_MS)) : undefined;
      if (left <= 0) this.request('MaxRuntimeExceeded');
    };
    this.deadline = setTimeout(arm, Math.min(seconds * 1000, MAX_TIMER_MS));
  }

  dispose(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
    this.handler = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
