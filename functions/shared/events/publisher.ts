/**
 * The one place that appends events to users' change feeds and posts them to their sockets.
 *
 * For a stream batch, per recipient: one UpdateItem takes positions for all of that recipient's events
 * (`ADD seq`) and returns their open connections (take); the events are posted, each with its position, to the
 * recipient's connections at once (post); the entries are written, with BatchWriteItem (25 a request, all
 * recipients together), once the inboxes the batch changes are up to date (write: see table-stream.ts for
 * why). So a message to a group of N costs N small updates, N entries and the posts: no Query per member,
 * nothing sequential per event.
 *
 * Gaps: two invocations may take positions 11 and 12 of a user at the same moment and write 12 first; a
 * reader then waits for 11 (GET /sync stops before a missing position unless it is older than
 * ABANDONED_AFTER_MS). A writer that could not write an entry within WRITE_DEADLINE_MS of taking its position
 * takes a new one instead, so a late entry never lands behind a reader that has given its position up.
 */
import { config } from '../config';
import {
  type ConnectionInfo,
  type FeedEntry,
  type FeedHead,
  queryRecentEntries,
  takePositions,
  writeEntries,
} from '../data/feed-store';
import { logger } from '../logger';
import type { ConnectionSender } from '../realtime/connection-sender';
import {
  addReports,
  type DeliveryReport,
  emptyReport,
  forEachConcurrently,
  postToConnections,
} from '../realtime/delivery';
import { type PresentedEvent, positioned, presentEvent, type StoredEvent } from './stored-events';

/**
 * A writer gives its positions up after this long (and takes new ones for what it still has to write). Well
 * below ABANDONED_AFTER_MS, so that a writer has stopped before any reader skips its positions, with room for
 * clocks of different functions to differ and a request in flight to land.
 */
export const WRITE_DEADLINE_MS = 4_000;
/** A reader skips a missing position when the entry after it is older than this (see above). */
export const ABANDONED_AFTER_MS = 10_000;

/** Recipients whose positions are taken at once; each is one small UpdateItem. */
const RECIPIENT_CONCURRENCY = 32;

export interface Delivery {
  /** Where the event comes from (a batch index): reported back when the delivery fails. */
  index: number;
  userId: string;
  event: StoredEvent;
}

export interface Taken {
  userId: string;
  head: FeedHead;
  entries: { entry: FeedEntry; delivery: Delivery }[];
}

export interface Positions {
  taken: Taken[];
  /** The sources (batch indexes) of events that got no position: their records must be retried. */
  failed: Set<number>;
}

/** Entries per slice of a batch: what one writer takes, posts and writes comfortably within WRITE_DEADLINE_MS. */
export const ENTRIES_PER_SLICE = 1_000;

/**
 * The deliveries in slices of whole recipients (a recipient's events stay together and in order), each of about
 * ENTRIES_PER_SLICE entries (more only when one recipient alone has more).
 */
export function byRecipientSlices(deliveries: readonly Delivery[], size = ENTRIES_PER_SLICE): Delivery[][] {
  const byUser = new Map<string, Delivery[]>();
  for (const delivery of deliveries) {
    const ofUser = byUser.get(delivery.userId);
    if (ofUser) ofUser.push(delivery);
    else byUser.set(delivery.userId, [delivery]);
  }
  const slices: Delivery[][] = [];
  let current: Delivery[] = [];
  for (const ofUser of byUser.values()) {
    if (current.length > 0 && current.length + ofUser.length > size) {
      slices.push(current);
      current = [];
    }
    current.push(...ofUser);
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Takes positions for every recipient's events (one UpdateItem each, in parallel). */
export async function takePositionsFor(
  deliveries: readonly Delivery[],
  now: () => number = Date.now,
): Promise<Positions> {
  const failed = new Set<number>();
  const byUser = new Map<string, Delivery[]>();
  for (const delivery of deliveries) {
    byUser.set(delivery.userId, [...(byUser.get(delivery.userId) ?? []), delivery]);
  }
  const taken: Taken[] = [];
  await forEachConcurrently([...byUser.entries()], RECIPIENT_CONCURRENCY, async ([userId, ofUser]) => {
    try {
      const at = now();
      const head = await takePositions(userId, ofUser.length, at);
      const first = head.seq - ofUser.length + 1;
      taken.push({
        userId,
        head,
        entries: ofUser.map((delivery, i) => ({
          delivery,
          entry: { userId, seq: first + i, at, event: JSON.stringify(delivery.event) },
        })),
      });
    } catch (error) {
      logger.error('could not take feed positions', { userId, error: error as Error });
      for (const delivery of ofUser) failed.add(delivery.index);
    }
  });
  return { taken, failed };
}

/**
 * Posts every event, at its position, to its recipient's open connections. Best effort: the events are in the
 * feed, and a client that missed one catches up with GET /sync. Never throws.
 */
export async function postEvents(
  taken: readonly Taken[],
  sender: ConnectionSender,
  now: () => number = Date.now,
): Promise<DeliveryReport> {
  const report = emptyReport();
  // Presented once per event, however many recipients it has (signing a media URL is the costly part).
  const presented = new Map<StoredEvent, Promise<PresentedEvent>>();
  const present = (event: StoredEvent) => {
    let shown = presented.get(event);
    if (!shown) {
      shown = presentEvent(event, new Date(now()));
      presented.set(event, shown);
    }
    return shown;
  };
  await forEachConcurrently(taken, RECIPIENT_CONCURRENCY, async ({ userId, head, entries }) => {
    if (head.connections.length === 0) return;
    const payloads = await Promise.all(
      entries.map(async ({ entry, delivery }) =>
        JSON.stringify(positioned(await present(delivery.event), userId, entry.seq, entry.at)),
      ),
    );
    addReports(report, await postToConnections(head, payloads, sender, now()));
  }).catch((error: unknown) => {
    logger.warn('posting events failed', { error: error as Error });
  });
  return report;
}

/**
 * Writes the entries; what is still unwritten WRITE_DEADLINE_MS after its positions were taken gets new
 * positions (the old ones are abandoned) and is written again. Returns the sources of what could not be written.
 */
export async function writeEvents(
  taken: readonly Taken[],
  now: () => number = Date.now,
): Promise<Set<number>> {
  try {
    await writeAll(taken, now);
    return new Set();
  } catch (error) {
    logger.error('could not write feed entries', { error: error as Error });
    return new Set(taken.flatMap(({ entries }) => entries.map(({ delivery }) => delivery.index)));
  }
}

/**
 * Writes every entry; what is still unwritten WRITE_DEADLINE_MS after its positions were taken gets new
 * positions (the old ones are abandoned) and is written again.
 */
async function writeAll(taken: readonly Taken[], now: () => number): Promise<void> {
  let pending = taken.flatMap(({ entries }) => entries.map(({ entry }) => entry));
  for (let round = 0; pending.length > 0; round++) {
    if (round >= 3) throw new Error(`${pending.length} feed entries could not be written`);
    const deadline = Math.min(...pending.map((entry) => entry.at)) + WRITE_DEADLINE_MS;
    const left = await writeEntries(pending, config.syncRetentionSeconds, deadline);
    if (left.length === 0) return;
    logger.warn('feed positions abandoned: writing late', { entries: left.length });
    const byUser = new Map<string, FeedEntry[]>();
    for (const entry of left) byUser.set(entry.userId, [...(byUser.get(entry.userId) ?? []), entry]);
    const retaken = await Promise.all(
      [...byUser.entries()].map(async ([userId, entries]) => {
        const head = await takePositions(userId, entries.length);
        const at = now();
        const first = head.seq - entries.length + 1;
        return entries.map((entry, i) => ({ ...entry, seq: first + i, at }));
      }),
    );
    pending = retaken.flat();
  }
}

/** Recent events posted to a connection just registered: at most this many (a client that syncs has the rest). */
const RECENT_EVENTS_LIMIT = 25;
/** Clocks of API Gateway (the connection's time) and of the consumer differ a little. */
const CLOCK_MARGIN_MS = 1_000;

/**
 * Pauses before reading the newest entries again while some position up to the registered head is still being
 * written (its writer posted to the connections it knew, not to this one): 50, 100, 200 and 400 ms, then give up.
 */
const UNWRITTEN_RETRY_MS = [50, 100, 200, 400];

/**
 * Posts to one connection, in order, the user's events whose positions were taken since `since` (epoch ms):
 * the connection is registered from the stream a moment after it opened, and events taken in that moment went
 * to the user's other connections only. One Query of the newest entries (a few more, briefly, while an entry
 * up to the head's position is still being written by a concurrent batch); best effort (a client that misses
 * one sees a gap in `seq` and syncs). Never throws.
 */
export async function postRecentEvents(
  head: FeedHead,
  connection: ConnectionInfo,
  since: number,
  sender: ConnectionSender,
  now: () => number = Date.now,
): Promise<void> {
  try {
    let recent = await queryRecentEntries(head.userId, RECENT_EVENTS_LIMIT);
    for (const pause of UNWRITTEN_RETRY_MS) {
      if ((recent[0]?.seq ?? 0) >= head.seq) break;
      await new Promise((resolve) => setTimeout(resolve, pause));
      recent = await queryRecentEntries(head.userId, RECENT_EVENTS_LIMIT);
    }
    const missed = recent.filter((entry) => entry.at >= since - CLOCK_MARGIN_MS).reverse();
    if (missed.length === 0) return;
    const payloads = await Promise.all(
      missed.map(async (entry) =>
        JSON.stringify(
          positioned(
            await presentEvent(JSON.parse(entry.event) as StoredEvent, new Date(now())),
            head.userId,
            entry.seq,
            entry.at,
          ),
        ),
      ),
    );
    await postToConnections({ ...head, connections: [connection] }, payloads, sender, now());
  } catch (error) {
    logger.warn('posting recent events to a new connection failed', { error: error as Error });
  }
}
