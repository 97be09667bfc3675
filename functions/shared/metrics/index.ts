/**
 * Counting what happens: `metrics.count(name, dimensions?)`, or `metrics.record(name, n, dimensions?)` for
 * several at once, for any function and any shared module; `recordMilliseconds(name, ms)` for a duration.
 * Names, units and descriptions are in definitions.ts; which call a metric takes follows from its unit there
 * (checked by the compiler), so no unit table is shipped in the bundles.
 *
 * Where the points go is set per function: HTTP and WebSocket functions write them at once with the
 * minimal emitter (emf.ts); the stream consumer and the upload check use Powertools Metrics (powertools.ts),
 * which buffers the points of an invocation and flushes them together (`metrics.flush()`).
 *
 * For other features: a call refused by a limit is `metrics.count('CallsRefusedByLimits', { route })`.
 */
import type { MetricDimensions, MetricName, MetricUnit, metricUnits } from './definitions';
import { emfSink, type MetricPoint } from './emf';

/** The metrics measured in `unit`, per definitions.ts. */
type MeasuredIn<U extends MetricUnit> = {
  [N in MetricName]: (typeof metricUnits)[N] extends U ? N : never;
}[MetricName];

export interface MetricsSink {
  add(point: MetricPoint): void;
  flush?(): void;
}

// Made at the first point, not at load: a bundle that imports this module and never counts drops all of it.
let sink: MetricsSink | undefined;

function add(name: MetricName, value: number, dimensions: MetricDimensions, unit: MetricUnit = 'Count') {
  sink ??= emfSink();
  sink.add({ name, unit, value, dimensions });
}

export const metrics = {
  count(name: MeasuredIn<'Count'>, dimensions: MetricDimensions = {}): void {
    add(name, 1, dimensions);
  },
  record(name: MeasuredIn<'Count'>, value: number, dimensions: MetricDimensions = {}): void {
    add(name, value, dimensions);
  },
  /** Publishes buffered points (Powertools); a no-op for the minimal emitter. */
  flush(): void {
    sink?.flush?.();
  },
};

/** A duration (the table-stream batch's age). */
export const recordMilliseconds = (name: MeasuredIn<'Milliseconds'>, value: number): void =>
  add(name, value, {}, 'Milliseconds');

/** Sends the points elsewhere from now on (a function's own sink, or a test's); returns the undo. */
export function useMetricsSink(next: MetricsSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}
