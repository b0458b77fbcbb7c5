import type { InstancePool, ServiceLog } from '@blazefleet/core';
import { POOLS, type TrainingQueues } from '@blazefleet/queue';

export const DEFAULT_METRICS_NAMESPACE = 'Blazefleet';
export const DEFAULT_METRICS_INTERVAL_MS = 60_000;

export interface QueueDepthMetricsOptions {
  /** Takes each line, newline included: the scheduler's log stream, which the awslogs driver ships to CloudWatch. */
  write: (line: string) => void;
  /** CloudWatch namespace of the metrics (default Blazefleet). */
  namespace?: string;
  /** Between two reports (default 60 s). */
  intervalMs?: number;
}

export type QueueCounts = Record<InstancePool, { waiting: number; active: number; delayed: number }>;

/**
 * One CloudWatch Embedded Metric Format line per pool: `QueueWaiting` (waiting and delayed before a retry) and
 * `QueueActive`, with the dimension `Pool`. CloudWatch Logs turns such log lines into metrics; no SDK call is made.
 */
export function queueDepthEmfLines(counts: QueueCounts, namespace: string, timestamp: number): string[] {
  return POOLS.map((pool) =>
    JSON.stringify({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [['Pool']],
            Metrics: [
              { Name: 'QueueWaiting', Unit: 'Count' },
              { Name: 'QueueActive', Unit: 'Count' },
            ],
          },
        ],
      },
      Pool: pool,
      QueueWaiting: counts[pool].waiting + counts[pool].delayed,
      QueueActive: counts[pool].active,
    }),
  );
}

/** Reports the queues' depth at once, then every `intervalMs`, until stopped; a failed read is logged and skipped. */
export function startQueueDepthMetrics(queues: TrainingQueues, options: QueueDepthMetricsOptions, log: ServiceLog): { stop: () => Promise<void> } {
  const namespace = options.namespace ?? DEFAULT_METRICS_NAMESPACE;
  const intervalMs = options.intervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let report: Promise<void> = Promise.resolve();

  const reportOnce = async () => {
    try {
      for (const line of queueDepthEmfLines(await queues.counts(), namespace, Date.now())) options.write(`${line}\n`);
    } catch (error) {
      log.error({ err: error }, 'cannot read the queue depths for the CloudWatch metrics');
    }
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      report = reportOnce().finally(() => schedule(intervalMs));
    }, delayMs);
  };
  schedule(0);

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await report;
    },
  };
}
