/**
 * Counting what happens: `metrics.count(name, dimensions?)` and `metrics.record(name, value, dimensions?)`,
 * for any function and any shared module. Names, units and descriptions are in definitions.ts.
 *
 * Where the points go is set per function: HTTP and WebSocket functions write them at once with the
 * minimal emitter (emf.ts); the stream consumer and the upload check use Powertools Metrics (powertools.ts),
 * which buffers the points of an invocation and flushes them together (`metrics.flush()`).
 *
 * For other features: a call refused by a limit is `metrics.count('CallsRefusedByLimits', { route })`.
 */
import { type MetricDimensions, type MetricName, metricUnits } from './definitions';
import { emfSink, type MetricPoint } from './emf';

export interface MetricsSink {
  add(point: MetricPoint): void;
  flush?(): void;
}

let sink: MetricsSink = emfSink();

export const metrics = {
  count(name: MetricName, dimensions: MetricDimensions = {}): void {
    metrics.record(name, 1, dimensions);
  },
  record(name: MetricName, value: number, dimensions: MetricDimensions = {}): void {
    sink.add({ name, unit: metricUnits[name], value, dimensions });
  },
  /** Publishes buffered points (Powertools); a no-op for the minimal emitter. */
  flush(): void {
    sink.flush?.();
  },
};

/** Sends the points elsewhere from now on (a function's own sink, or a test's); returns the undo. */
export function useMetricsSink(next: MetricsSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}
