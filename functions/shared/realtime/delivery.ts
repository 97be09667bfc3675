/**
 * Posting to a user's open connections, as their feed head lists them: the one place that decides whether a
 * connection gets an event. A connection whose access token has expired gets no more events: it is told why
 * (`connection.closing`) and closed, so its client reconnects with a fresh token and catches up. A
 * connection API Gateway reports gone (410) is forgotten. A post failing otherwise is counted and logged, and
 * never holds up the other connections (the event is in the feed: the client gets it when it syncs).
 */
import { type ConnectionInfo, type FeedHead, removeConnections } from '../data/feed-store';
import { connectedHere } from '../data/origin';
import { logger } from '../logger';
import { metrics } from '../metrics';
import type { ConnectionClosingReason } from '../schemas/realtime';
import type { ConnectionSender } from './connection-sender';

/**
 * A connection is registered at $connect, before API Gateway completes the handshake; a post in that moment
 * is answered 410. A 410 for a connection younger than this is not taken to mean it is gone.
 */
const HANDSHAKE_GRACE_MS = 10_000;

export interface DeliveryReport {
  sent: number;
  gone: number;
  failed: number;
  /** Connections closed because their token had expired. */
  closed: number;
}

export const emptyReport = (): DeliveryReport => ({ sent: 0, gone: 0, failed: 0, closed: 0 });

export function addReports(total: DeliveryReport, report: DeliveryReport): DeliveryReport {
  total.sent += report.sent;
  total.gone += report.gone;
  total.failed += report.failed;
  total.closed += report.closed;
  return total;
}

/** Runs `run` over `items` with at most `limit` in flight; after all settle, rethrows the first failure. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

/** Tells a connection why it is being closed, then closes it. Neither step failing stops the caller. */
export async function closeWithReason(
  sender: ConnectionSender,
  connectionId: string,
  reason: ConnectionClosingReason,
): Promise<void> {
  await sender.post(connectionId, JSON.stringify({ type: 'connection.closing', reason })).catch(() => 'gone');
  await sender.close(connectionId).catch((error: unknown) => {
    logger.warn('could not close a connection', { connectionId, reason, error: error as Error });
  });
}

/**
 * Posts `payloads`, in order, to each of the user's connections (connections in parallel, one connection's
 * posts one after another so that they arrive in order).
 */
export async function postToConnections(
  head: FeedHead,
  payloads: readonly string[],
  sender: ConnectionSender,
  now = Date.now(),
): Promise<DeliveryReport> {
  const report = emptyReport();
  const forget: string[] = [];
  const deliverTo = async (connection: ConnectionInfo) => {
    const { connectionId } = connection;
    if (connection.tokenExpiresAt <= now) {
      await closeWithReason(sender, connectionId, 'token-expired');
      report.closed += 1;
      forget.push(connectionId);
      return;
    }
    for (const payload of payloads) {
      try {
        const outcome = await sender.post(connectionId, payload);
        report[outcome] += 1;
        if (outcome === 'gone') {
          if (now - connection.connectedAt > HANDSHAKE_GRACE_MS) forget.push(connectionId);
          return;
        }
      } catch (error) {
        report.failed += 1;
        logger.warn('post to connection failed', { connectionId, error: error as Error });
        return;
      }
    }
  };
  // Multi-region: each region posts to the connections its own WebSocket API holds (data/origin.ts).
  await Promise.all(head.connections.filter((connection) => connectedHere(connection)).map(deliverTo));
  if (forget.length > 0) {
    // Forgetting is housekeeping: a connection not forgotten now costs a wasted post next time at most.
    await removeConnections(head.userId, forget).then(
      () => metrics.record('StaleConnectionsRemoved', forget.length),
      (error: unknown) => {
        logger.warn('could not forget connections', { userId: head.userId, error: error as Error });
      },
    );
  }
  const attempted = report.sent + report.gone + report.failed;
  if (attempted > 0) metrics.record('DeliveriesAttempted', attempted);
  if (report.gone > 0) metrics.record('DeliveriesGone', report.gone);
  if (report.failed > 0) metrics.record('DeliveriesFailed', report.failed);
  return report;
}
