/**
 * Catching up: everything that changed for a user since a cursor, from their stream of changes (the feed the
 * table-stream consumer appends to, events/publisher.ts). One GetItem (the head: is the cursor known?) and one
 * Query (the entries after it) per call, in parallel, whatever the user's conversations hold.
 */
import { config } from '../config';
import { type FeedEntry, getHead, queryEntries } from '../data/feed-store';
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
  for (const entry of page.entries) {
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
 * The starting point: a cursor for "now", then the first inbox page. In that order: the stream consumer
 * updates inbox entries before it takes positions for their events, so every change before the cursor shows
 * in the inbox read after it (and whatever comes after the cursor, the client gets by syncing from it).
 */
async function start(callerId: string, now: Date): Promise<SyncPage> {
  const head = await getHead(callerId);
  const inbox = await listForUser(callerId, FIRST_INBOX_PAGE);
  return {
    events: [],
    nextCursor: syncCursor.encode(callerId, head.seq, now.getTime()),
    hasMore: false,
    inbox,
  };
}
