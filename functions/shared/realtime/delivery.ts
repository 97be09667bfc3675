/**
 * Fan-out of one event to every open connection of a set of users: one Query per user (never a Scan),
 * bounded concurrency, and a connection that is gone (410) is forgotten without holding up the others.
 */

import { deleteConnection, listConnectionIds } from '../data/connections-store';
import { queryMembers } from '../data/conversations-store';
import { logger } from '../logger';
import { metrics } from '../metrics';
import type { RealtimeEvent } from '../schemas/realtime';
import type { ConnectionSender } from './connection-sender';

/** Who is in a conversation and where each user is connected: the port delivery reads through. */
export interface Directory {
  membersOf(conversationId: string): Promise<string[]>;
  connectionsOf(userId: string): Promise<string[]>;
  /** Forgets a connection that API Gateway reported gone. */
  forget(userId: string, connectionId: string): Promise<void>;
}

export const tableDirectory: Directory = {
  membersOf: async (conversationId) =>
    (await queryMembers(conversationId)).members.map((member) => member.userId),
  connectionsOf: (userId) => listConnectionIds(userId),
  forget: (userId, connectionId) => deleteConnection(userId, connectionId),
};

/** Users looked up at once; each user's connections are then posted to in parallel (a few per user). */
const USER_CONCURRENCY = 16;

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

export interface DeliveryReport {
  sent: number;
  gone: number;
  failed: number;
}

/**
 * Posts `event` to every connection of `userIds`. Failing to list a user's connections throws (the caller
 * retries the whole delivery); a failed post to one connection is logged and counted, never thrown, so one
 * bad connection cannot cause duplicates for everyone else or block the stream.
 */
export async function deliver(
  userIds: Iterable<string>,
  event: RealtimeEvent,
  { sender, directory }: { sender: ConnectionSender; directory: Directory },
): Promise<DeliveryReport> {
  const data = JSON.stringify(event);
  const report: DeliveryReport = { sent: 0, gone: 0, failed: 0 };
  await forEachConcurrently([...new Set(userIds)], USER_CONCURRENCY, async (userId) => {
    const connectionIds = await directory.connectionsOf(userId);
    await Promise.all(
      connectionIds.map(async (connectionId) => {
        try {
          const outcome = await sender.post(connectionId, data);
          report[outcome] += 1;
          if (outcome === 'gone') {
            // Its items also expire by TTL: failing to delete them now costs a few wasted posts at most.
            await directory.forget(userId, connectionId).then(
              () => metrics.count('StaleConnectionsRemoved'),
              (error: unknown) => {
                logger.warn('could not forget a gone connection', { connectionId, error: error as Error });
              },
            );
          }
        } catch (error) {
          report.failed += 1;
          logger.warn('post to connection failed', {
            connectionId,
            eventType: event.type,
            error: error as Error,
          });
        }
      }),
    );
  });
  const attempted = report.sent + report.gone + report.failed;
  if (attempted > 0) metrics.record('DeliveriesAttempted', attempted);
  if (report.gone > 0) metrics.record('DeliveriesGone', report.gone);
  if (report.failed > 0) metrics.record('DeliveriesFailed', report.failed);
  return report;
}

/**
 * A directory that remembers what it read for a few seconds: one stream batch often holds many changes of
 * the same conversation, and a 256-member group would otherwise cost 257 Queries per change. Membership
 * changes seen in the batch are applied to what it remembers.
 */
export class CachingDirectory implements Directory {
  private readonly members = new Map<string, { at: number; value: Promise<Set<string>> }>();
  private readonly connections = new Map<string, { at: number; value: Promise<string[]> }>();

  constructor(
    private readonly inner: Directory,
    private readonly maxAgeMs = 5000,
    private readonly clock: () => number = Date.now,
  ) {}

  private remembered<V>(
    cache: Map<string, { at: number; value: Promise<V> }>,
    key: string,
    load: () => Promise<V>,
  ): Promise<V> {
    const hit = cache.get(key);
    if (hit && this.clock() - hit.at < this.maxAgeMs) return hit.value;
    const value = load();
    cache.set(key, { at: this.clock(), value });
    // A failed read is not remembered: the record fails and its retry reads again.
    value.catch(() => cache.delete(key));
    return value;
  }

  async membersOf(conversationId: string): Promise<string[]> {
    const members = await this.remembered(this.members, conversationId, async () => {
      return new Set(await this.inner.membersOf(conversationId));
    });
    return [...members];
  }

  /** Applies a membership change seen on the stream to what is remembered (if anything is). */
  async noteMembership(conversationId: string, userId: string, isMember: boolean): Promise<void> {
    const members = await this.members.get(conversationId)?.value.catch(() => undefined);
    if (isMember) members?.add(userId);
    else members?.delete(userId);
  }

  connectionsOf(userId: string): Promise<string[]> {
    return this.remembered(this.connections, userId, () => this.inner.connectionsOf(userId));
  }

  async forget(userId: string, connectionId: string): Promise<void> {
    const hit = this.connections.get(userId);
    if (hit) {
      const remaining = hit.value.then((ids) => ids.filter((id) => id !== connectionId));
      remaining.catch(() => this.connections.delete(userId));
      this.connections.set(userId, { at: hit.at, value: remaining });
    }
    await this.inner.forget(userId, connectionId);
  }
}
