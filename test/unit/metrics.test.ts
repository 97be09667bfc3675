/**
 * The metric lines themselves: CloudWatch embedded metric format, the same from the minimal emitter (HTTP and
 * WebSocket functions) as from Powertools Metrics (the stream consumer and the upload check).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BASE_DIMENSIONS,
  METRICS_NAMESPACE,
  metricDetails,
  metricUnits,
} from '../../functions/shared/metrics/definitions';
import { emfDocument, emfSink, type MetricPoint } from '../../functions/shared/metrics/emf';
import { powertoolsSink } from '../../functions/shared/metrics/powertools';

const env = { POWERTOOLS_SERVICE_NAME: 'chat-api', STAGE: 'prod', POWERTOOLS_METRICS_DISABLED: 'false' };

/** Every line written to stdout while `run` runs, parsed. */
function stdoutLines(run: () => void): Record<string, any>[] {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    write.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const sent: MetricPoint = { name: 'MessagesSent', unit: 'Count', value: 1, dimensions: { type: 'image' } };
const failedLogin: MetricPoint = { name: 'LoginsFailed', unit: 'Count', value: 1, dimensions: {} };

describe('the minimal EMF emitter', () => {
  it('writes one EMF document per point: namespace, base dimensions, the value under the metric name', () => {
    const [line] = stdoutLines(() => emfSink(env).add(failedLogin));

    expect(line).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [[...BASE_DIMENSIONS]],
            Metrics: [{ Name: 'LoginsFailed', Unit: 'Count' }],
          },
        ],
      },
      service: 'chat-api',
      stage: 'prod',
      LoginsFailed: 1,
    });
  });

  it('emits a split metric with and without its dimension, in the same document', () => {
    const document = emfDocument(sent, { service: 'chat-api', stage: 'prod' }, 0);

    expect(document._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'stage'],
      ['service', 'stage', 'type'],
    ]);
    expect(document).toMatchObject({ type: 'image', MessagesSent: 1 });
  });

  it('leaves out a dimension without a value instead of emitting an empty one', () => {
    const document = emfDocument(
      { ...sent, dimensions: { type: undefined } },
      { service: 's', stage: 'x' },
      0,
    );

    expect(document._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage']]);
    expect('type' in document).toBe(false);
  });

  it('writes nothing when metrics are turned off (the local stack)', () => {
    expect(stdoutLines(() => emfSink({ ...env, POWERTOOLS_METRICS_DISABLED: 'true' }).add(sent))).toEqual([]);
  });
});

describe('the Powertools sink', () => {
  // Powertools reads its switch from the environment itself (the tests turn metrics off).
  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  });

  it('publishes what it buffered in the namespace, dimensions and units the minimal emitter uses', () => {
    const lines = stdoutLines(() => {
      const sink = powertoolsSink(env);
      sink.add(failedLogin);
      sink.add({ name: 'StreamBatchAge', unit: 'Milliseconds', value: 1500, dimensions: {} });
      sink.flush?.();
    });

    expect(lines).toHaveLength(1);
    const [document] = lines;
    expect(document?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [[...BASE_DIMENSIONS]],
        Metrics: [
          { Name: 'LoginsFailed', Unit: 'Count' },
          { Name: 'StreamBatchAge', Unit: 'Milliseconds' },
        ],
      },
    ]);
    expect(document).toMatchObject({
      service: 'chat-api',
      stage: 'prod',
      LoginsFailed: 1,
      StreamBatchAge: 1500,
    });
  });

  it('emits a split metric both ways too: the split at once, the total with the rest', () => {
    const lines = stdoutLines(() => {
      const sink = powertoolsSink(env);
      sink.add(sent);
      sink.flush?.();
    });

    const dimensionSets = lines.flatMap((line) => line._aws.CloudWatchMetrics[0].Dimensions);
    expect(dimensionSets).toEqual(
      expect.arrayContaining([
        ['service', 'stage'],
        ['service', 'stage', 'type'],
      ]),
    );
    expect(lines.every((line) => line.MessagesSent === 1)).toBe(true);
  });
});

describe('metric definitions', () => {
  it('name only CloudWatch units, and describe every metric', () => {
    for (const [name, unit] of Object.entries(metricUnits)) {
      expect(['Count', 'Milliseconds']).toContain(unit);
      expect(metricDetails[name as keyof typeof metricUnits].description.length).toBeGreaterThan(10);
    }
  });
});
