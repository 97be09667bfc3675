/**
 * Catching up: everything that changed for a user since a cursor, from their stream of changes (the feed the
 * table-stream consumer appends to, events/publisher.ts). One GetItem (the head: is the cursor known?) and one
 * Query (the entries after it) per call, in parallel, whatever the user's conversations hold.
 */
import { config } from '../config';
import { type FeedEntry, type FeedHead, getHead, queryEntries, queryLatestEntries } from '../data/feed-store';
import { ResyncRequiredError } from '../errors';
import { ABANDONED_AFTER_MS } from '../events/publisher';
import { positioned, presentEvent, type StoredEvent } from '../events/stored-events';
import type { SyncPage } from '../schemas/sync';
import { listForUser } from './conversations';
import { syncCursor } from './cursors';

/** How many inbox entries a first sync (no cursor) returns. */
const FIRST_INBOX_PAGE = 20;
/** Clocks of different functions differ a little: a cursor this close to the end of retention is refused. */
const RETENTION_MARGIN_MS = 60_000;

export async function sync(
  callerId: string,
  query: { since?: string; limit: number },
  now = new Date(),
): Promise<SyncPage> {
  if (query.since === undefined) return start(callerId, now);
  const cursor = syncCursor.decode(query.since, callerId);
  if (now.getTime() - cursor.at > config.syncRetentionSeconds * 1000 - RETENTION_MARGIN_MS) {
    throw new ResyncRequiredError(
      'The cursor is older than the retention window: what followed it may be gone. Resync fully.',
    );
  }
  // One more than asked for tells whether another page follows.
  const [head, page] = await Promise.all([
    getHead(callerId),
    queryEntries(callerId, cursor.seq, query.limit + 1),
  ]);
  if (cursor.seq > head.seq) {
    throw new ResyncRequiredError('The cursor is not a position of your stream of changes. Resync fully.');
  }
  const taken: FeedEntry[] = [];
  let expected = cursor.seq + 1;
  let retryAfterMs: number | undefined;
  let stoppedEarly = false;
  const retentionMs = config.syncRetentionSeconds * 1000;
  for (const entry of page.entries) {
    // Past retention but not yet deleted (TTL deletes lazily): as if gone.
    if (now.getTime() - entry.at > retentionMs) continue;
    if (taken.length === query.limit) {
      stoppedEarly = true;
      break;
    }
    if (entry.seq > expected) {
      // A missing position: still being written (wait), or given up by its writer long ago (skip it).
      const age = now.getTime() - entry.at;
      if (age <= ABANDONED_AFTER_MS) {
        retryAfterMs = Math.max(100, ABANDONED_AFTER_MS - age);
        stoppedEarly = true;
        break;
      }
    }
    taken.push(entry);
    expected = entry.seq + 1;
  }
  const last = taken.at(-1);
  const events = await Promise.all(
    taken.map(async (entry) =>
      positioned(
        await presentEvent(JSON.parse(entry.event) as StoredEvent, now),
        callerId,
        entry.seq,
        entry.at,
      ),
    ),
  );
  // At the end of the stream, the cursor is renewed: nothing can follow it that is older than now.
  const atEnd = !stoppedEarly && !page.more && (last?.seq ?? cursor.seq) === head.seq;
  const nextCursor = last
    ? syncCursor.encode(callerId, last.seq, atEnd ? now.getTime() : last.at)
    : syncCursor.encode(callerId, cursor.seq, atEnd ? now.getTime() : cursor.at);
  return {
    events,
    nextCursor,
    hasMore: stoppedEarly || page.more,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/**
 * The starting point: a cursor, then the first inbox page. The cursor is the highest position below which
 * every entry is written (or was given up long ago): the stream consumer writes entries only once the inboxes
 * their changes touch are up to date, so every change the cursor covers shows in the inbox read after it, and
 * whatever comes after it the client gets by syncing from it (an event may come both ways: applying it twice
 * changes nothing).
 */
async function start(callerId: string, now: Date): Promise<SyncPage> {
  const head = await getHead(callerId);
  const seq = await writtenUpTo(head, now.getTime());
  const inbox = await listForUser(callerId, FIRST_INBOX_PAGE);
  return {
    events: [],
    nextCursor: syncCursor.encode(callerId, seq, now.getTime()),
    hasMore: false,
    inbox,
  };
}

/** Entries looked at, newest first, to find where the written ones end. */
const RECENT_ENTRIES = 100;

/**
 * The highest position p such that every position up to p is written or long given up. Positions taken in the
 * last ABANDONED_AFTER_MS may still be in flight; older ones are settled, so a user whose last positions were
 * taken longer ago than that costs no read beyond the head.
 */
export async function writtenUpTo(head: FeedHead, now: number): Promise<number> {
  if (head.seq === 0 || now - head.takenAt > ABANDONED_AFTER_MS) return head.seq;
  const { entries, more } = await queryLatestEntries(head.userId, head.seq, RECENT_ENTRIES);
  let upTo = head.seq;
  let above: { seq: number; at: number } | undefined;
  for (const entry of entries) {
    const highestMissing = above ? above.seq - 1 : head.seq;
    // Missing positions between this entry and the one above it were taken no earlier than this entry and no
    // later than the one above: settled if that one is old; with nothing above, possibly still in flight.
    if (entry.seq < highestMissing && !(above && now - above.at > ABANDONED_AFTER_MS)) upTo = entry.seq;
    if (now - entry.at > ABANDONED_AFTER_MS) return upTo;
    above = entry;
  }
  const lowest = entries.at(-1);
  if (!lowest) return 0;
  // The feed's first entries: below the lowest, only positions taken before it and not yet written (recent).
  if (!more) return lowest.seq > 1 ? 0 : upTo;
  // Every entry looked at is recent: what lies below them is unknown, so start below them (events the client
  // then receives again change nothing).
  return Math.min(upTo, lowest.seq - 1);
}
