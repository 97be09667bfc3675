/**
 * Powertools Metrics as the metrics sink of the functions that are not on a request path (the table-stream
 * consumer, the upload check): points are buffered for the invocation and published together by
 * `metrics.flush()`, one EMF document for many points. Same namespace and dimensions as emf.ts.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './definitions';
import { baseDimensions } from './emf';
import type { MetricsSink } from './index';

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

export function powertoolsSink(env: NodeJS.ProcessEnv = process.env): MetricsSink {
  const base = baseDimensions(env);
  const powertools = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: base.service,
    defaultDimensions: { stage: base.stage },
  });
  return {
    add(point) {
      const extra = Object.entries(point.dimensions).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
      );
      powertools.addMetric(point.name, UNITS[point.unit], point.value);
      if (extra.length === 0) return;
      // Split by a dimension too (as emf.ts does in one document): its own document, published at once.
      const single = powertools.singleMetric();
      single.addDimensions(Object.fromEntries(extra));
      single.addMetric(point.name, UNITS[point.unit], point.value);
    },
    flush() {
      if (powertools.hasStoredMetrics()) powertools.publishStoredMetrics();
    },
  };
}
