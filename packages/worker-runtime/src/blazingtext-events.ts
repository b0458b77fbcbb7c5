import type { MetricEvent, TrainingProgress } from '@blazefleet/core';

/** Progress of a batch transform: `progress` is the share of the input bytes read, 0..1. */
export interface TransformProgress {
  progress: number;
  lines: number;
  linesPerSecond: number;
  /** Absent until some bytes are read. */
  etaSeconds?: number;
}

/**
 * What the trials of the built-in algorithms print on stdout, one JSON object a line: progress ticks (the engine's,
 * or a batch transform's), metric events and log milestones. A metric without `epoch` is a value of the finished
 * model, a final metric. Non-finite metric values are printed as null and are no metric values.
 */
export type BlazingTextEvent =
  | ({ event: 'progress' } & (TrainingProgress | TransformProgress))
  | ({ event: 'metric' } & MetricEvent)
  | { event: 'log'; message: string; fields?: Record<string, unknown> };

export function encodeBlazingTextEvent(event: BlazingTextEvent): string {
  return JSON.stringify(event);
}

/** The event on `line`, or undefined when the line is not one (a warning of Node.js, say). */
export function decodeBlazingTextEvent(line: string): BlazingTextEvent | undefined {
  if (!line.startsWith('{"event":')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const event = value as Partial<Record<string, unknown>>;
  switch (event.event) {
    case 'progress':
      return typeof event.progress === 'number' ? (value as BlazingTextEvent) : undefined;
    case 'metric':
      return typeof event.name === 'string' && typeof event.value === 'number' && Number.isFinite(event.value) ? (value as BlazingTextEvent) : undefined;
    case 'log':
      return typeof event.message === 'string' ? (value as BlazingTextEvent) : undefined;
    default:
      return undefined;
  }
}
