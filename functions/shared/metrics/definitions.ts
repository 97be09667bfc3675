/**
 * Every business and health metric the functions emit, in one place: the emitters (index.ts) accept only
 * these names, and the stack's alarms and dashboard (lib/constructs/monitoring.ts) read the same list.
 * Metrics are CloudWatch embedded metric format (EMF) log lines: no API call, no extra permission.
 */

export const METRICS_NAMESPACE = 'ChatBackend';

/** Dimensions on every metric: the service (POWERTOOLS_SERVICE_NAME) and the stage (STAGE). */
export const BASE_DIMENSIONS = ['service', 'stage'] as const;

export type MetricUnit = 'Count' | 'Milliseconds';

/**
 * The unit of each metric: the stack's alarms and dashboard read it; in the functions it only types which
 * `metrics` method a metric takes (index.ts), so the table itself stays out of the bundles.
 */
export const metricUnits = {
  MessagesSent: 'Count',
  LoginsFailed: 'Count',
  RefreshTokensReused: 'Count',
  CallsRefusedByLimits: 'Count',
  DeliveriesAttempted: 'Count',
  DeliveriesGone: 'Count',
  DeliveriesFailed: 'Count',
  StaleConnectionsRemoved: 'Count',
  UploadChecksPassed: 'Count',
  UploadChecksRejected: 'Count',
  StreamBatchAge: 'Milliseconds',
} as const satisfies Record<string, MetricUnit>;

export type MetricName = keyof typeof metricUnits;
export type MetricDimensions = Partial<Record<string, string>>;

export interface MetricDetails {
  description: string;
  /** A dimension the metric is also split by (it is emitted with and without it). */
  splitBy?: string;
}

/** What each metric means, for the dashboard, the alarms and docs/operations.md. */
export const metricDetails: Record<MetricName, MetricDetails> = {
  MessagesSent: {
    description: 'Messages stored (201), split by content type (text, image, video)',
    splitBy: 'type',
  },
  LoginsFailed: { description: 'Logins refused for a wrong username or password' },
  RefreshTokensReused: {
    description:
      'Rotated refresh tokens presented again: each ended its session (a stolen or replayed token)',
  },
  CallsRefusedByLimits: {
    description:
      'Calls refused by a rate or size limit (429), split by route; on the WebSocket API: typing signals within their interval (`typing`) and the oldest connections closed by the per-user limit (`connect`)',
    splitBy: 'route',
  },
  DeliveriesAttempted: { description: 'Real-time events posted to a WebSocket connection' },
  DeliveriesGone: { description: 'Posts answered 410: the connection was already gone' },
  DeliveriesFailed: { description: 'Posts that failed for another reason' },
  StaleConnectionsRemoved: { description: 'Gone connections deleted from the table' },
  UploadChecksPassed: { description: 'Uploads that matched their declaration (ready)' },
  UploadChecksRejected: { description: 'Uploads refused and deleted (rejected)' },
  StreamBatchAge: { description: 'Age of the oldest record of each table-stream batch when it is handled' },
};
