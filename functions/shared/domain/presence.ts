/**
 * Presence as readers see it, derived from a user's feed head (where their open WebSocket connections are
 * registered): online while one is, otherwise when the last one closed. Kept apart from the announcements
 * (realtime/presence.ts) so that the HTTP routes that show presence import nothing of the real-time pipeline.
 */
import type { FeedHead } from '../data/feed-store';
import type { Presence } from '../schemas/users';

/** API Gateway closes every connection after 2 hours: a registration older than that is a leftover. */
export const MAX_CONNECTION_MS = 2 * 3600_000;

export const isOnline = (head: FeedHead, now = Date.now()): boolean =>
  head.connections.some((connection) => now - connection.connectedAt <= MAX_CONNECTION_MS);

/** A user's presence as others see it: hidden presence (`shown` false) is offline, without lastActiveAt. */
export function presenceOf(head: FeedHead | undefined, shown: boolean, now = Date.now()): Presence {
  if (!shown || !head) return { online: false };
  if (isOnline(head, now)) return { online: true };
  return { online: false, ...(head.lastActiveAt ? { lastActiveAt: head.lastActiveAt } : {}) };
}
