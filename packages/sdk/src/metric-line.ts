import type { MetricEvent } from '@blazefleet/core';

/** Metrics whose BlazingText log name does not follow the rule below. */
const BLAZINGTEXT_NAMES: Readonly<Record<string, string>> = { 'train:loss': 'train_loss' };

/**
 * The log line a metric is reported with, as BlazingText prints it: `#mean_rho: 0.6123` for `train:mean_rho`,
 * `#validation_accuracy: 0.94` for `validation:accuracy`, `#train_loss: 0.31` for `train:loss`.
 * SageMaker-style metric definitions scrape the logs with a regex, so this exact text is printed in text mode and
 * carried in the `line` field of JSON metric records. Values are plain decimals (never exponents), so
 * `#mean_rho: (-?[0-9.]+)` finds them in both formats; `(\S+)` would also take the JSON quote.
 */
export function metricLine(metric: MetricEvent): string {
  const name =
    BLAZINGTEXT_NAMES[metric.name] ??
    (metric.name.startsWith('train:') ? metric.name.slice('train:'.length) : metric.name.replace(/:/g, '_'));
  return `#${name}: ${formatMetricValue(metric.value)}`;
}

function formatMetricValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toFixed(6))) : String(value);
}
