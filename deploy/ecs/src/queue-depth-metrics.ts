import type { InstancePool } from '@blazefleet/core';
import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';

/** The namespace the scheduler publishes its queue depths in (BLAZEFLEET_CLOUDWATCH_NAMESPACE). */
export const METRICS_NAMESPACE = 'Blazefleet';

/** The scheduler reports every 60 s; with several schedulers running, each reports the same depths. */
const PERIOD = Duration.minutes(1);

/** Jobs of the pool waiting for a worker (or delayed before a retry), as the scheduler publishes them. */
export function queueWaitingMetric(pool: InstancePool): cloudwatch.Metric {
  return queueMetric('QueueWaiting', pool);
}

/** Jobs of the pool that wait or run: zero when the pool's workers have nothing to do. */
export function queueDemandMetric(pool: InstancePool): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'waiting + active',
    usingMetrics: { waiting: queueWaitingMetric(pool), active: queueMetric('QueueActive', pool) },
    label: `${pool} jobs waiting or running`,
    period: PERIOD,
  });
}

function queueMetric(name: 'QueueWaiting' | 'QueueActive', pool: InstancePool): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { Pool: pool }, statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD });
}
