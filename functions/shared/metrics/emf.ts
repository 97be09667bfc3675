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
export function emfDocument(
  { name, unit, value, dimensions }: MetricPoint,
  base: Record<string, string>,
  timestamp: number,
) {
  // Only dimensions with a value; the metric is emitted with and without them.
  const extra = Object.fromEntries(Object.entries(dimensions).filter(([, given]) => given));
  const baseNames = [...BASE_DIMENSIONS];
  const names = Object.keys(extra);
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: names.length > 0 ? [baseNames, [...baseNames, ...names]] : [baseNames],
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    ...base,
    ...extra,
    [name]: value,
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
