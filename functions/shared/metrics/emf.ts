/**
 * A minimal embedded metric format emitter: one JSON line per metric on stdout, the same format, namespace
 * and dimensions as Powertools Metrics. HTTP route functions and WebSocket functions use it because their
 * bundles have strict size budgets (docs/performance.md): Powertools Metrics adds about 15 KB minified, this
 * a few hundred bytes. It writes straight to stdout (not console.log), so Lambda's JSON log format does not
 * wrap the line and CloudWatch still reads it as EMF.
 */
import { BASE_DIMENSIONS, METRICS_NAMESPACE, type MetricDimensions, type MetricUnit } from './definitions';

export interface MetricPoint {
  name: string;
  unit: MetricUnit;
  value: number;
  /** Extra dimensions (the metric is emitted with and without them). */
  dimensions: MetricDimensions;
}

/** The EMF document for one metric point, with the base dimensions' values. */
export function emfDocument(point: MetricPoint, base: Record<string, string>, timestamp: number) {
  const extra = Object.entries(point.dimensions).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
  );
  const baseNames = [...BASE_DIMENSIONS];
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions:
            extra.length > 0 ? [baseNames, [...baseNames, ...extra.map(([name]) => name)]] : [baseNames],
          Metrics: [{ Name: point.name, Unit: point.unit }],
        },
      ],
    },
    ...base,
    ...Object.fromEntries(extra),
    [point.name]: point.value,
  };
}

export function baseDimensions(env: NodeJS.ProcessEnv): { service: string; stage: string } {
  return { service: env.POWERTOOLS_SERVICE_NAME ?? 'chat-api', stage: env.STAGE ?? 'local' };
}

/** Writes each point as one EMF line on stdout; POWERTOOLS_METRICS_DISABLED=true (locally) turns it off. */
export function emfSink(env: NodeJS.ProcessEnv = process.env) {
  const base = baseDimensions(env);
  const disabled = env.POWERTOOLS_METRICS_DISABLED === 'true';
  return {
    add(point: MetricPoint) {
      if (!disabled) process.stdout.write(`${JSON.stringify(emfDocument(point, base, Date.now()))}\n`);
    },
  };
}
