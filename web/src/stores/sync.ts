/**
 * Staying exactly up to date (docs/realtime.md, "Catching up"). Every event of the person's stream of changes
 * carries its position (`seq`) and a cursor; events are applied in order, once. An event that does not follow
 * on from the last one applied (something was missed, or this device does not know its position yet) is not
 * applied: GET /sync from the last cursor brings everything after it, in order, that one included.
 *
 * After every (re)connection of the socket: GET /sync from the last cursor. The first connection, and a cursor
 * the server no longer knows (410), start over: a fresh cursor, the inbox, each conversation held in memory.
 * Then whatever is still pending is sent again.
 */
import type { RealtimeEvent } from '../../../client';
import {
  applyConversationEvent,
  catchUpConversation,
  conversationState,
  loadedConversationIds,
} from './conversations';
import { applyInboxEvent, refreshInbox } from './inbox';
import { notify } from './notices';
import { flushOutbox, settleDelivered } from './outbox';
import { call } from './result';
import { api } from './session';
import { applyPresence } from './users';

/** The cursor of the last event applied (or of the start); the position of that event (0: not known yet). */
let cursor: string | undefined;
let seq = 0;
/** The highest position a socket event announced: catching up goes on until it is applied. */
let wanted = 0;
let running: Promise<void> | undefined;

const SYNC_PAGE = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function apply(event: RealtimeEvent) {
  applyInboxEvent(event);
  applyConversationEvent(event);
  if (event.type === 'message.created') settleDelivered([event.message]);
  if (event.type === 'presence.changed') {
    const { userId, type: _type, ...presence } = event;
    applyPresence(userId, presence);
  }
}

/** An event from the socket. */
export function receive(event: RealtimeEvent) {
  if (!('seq' in event)) return apply(event); // typing, pong, error, connection.closing
  if (event.seq <= seq) return; // applied already (it came both ways)
  if (seq > 0 && event.seq === seq + 1 && !running) {
    apply(event);
    seq = event.seq;
    cursor = event.cursor;
    return;
  }
  wanted = Math.max(wanted, event.seq);
  void catchUp();
}

/** GET /sync from the cursor until nothing more follows; false when the cursor is unknown or expired (410). */
async function syncFromCursor(since: string): Promise<boolean> {
  let next = since;
  for (let calls = 0; calls < 50; calls++) {
    const page = await call(api().GET('/sync', { params: { query: { since: next, limit: SYNC_PAGE } } }));
    if (!page.ok) {
      if (page.problem.status === 410) return false;
      notify(`Could not catch up: ${page.problem.detail}`);
      return true;
    }
    for (const event of page.value.events) {
      if (event.seq <= seq) continue;
      apply(event);
      seq = event.seq;
    }
    next = page.value.nextCursor;
    cursor = next;
    if (!page.value.hasMore) return true;
    if (page.value.retryAfterMs) await sleep(page.value.retryAfterMs);
  }
  return true;
}

/** Starts over: a cursor for now, then the inbox and the conversations held in memory as they are now. */
async function resync(): Promise<void> {
  const start = await call(api().GET('/sync'));
  if (!start.ok) return notify(`Could not catch up: ${start.problem.detail}`);
  cursor = start.value.nextCursor;
  seq = 0;
  const results = await Promise.all([refreshInbox(), ...loadedConversationIds().map(catchUpConversation)]);
  const failed = results.find((result) => !result.ok && result.problem.status !== 404);
  if (failed && !failed.ok) notify(`Could not catch up: ${failed.problem.detail}`);
  // What happened while loading comes from the cursor (applying it again changes nothing).
  await syncFromCursor(cursor);
}

export function catchUp(): Promise<void> {
  running ??= (async () => {
    if (cursor === undefined || !(await syncFromCursor(cursor))) await resync();
    // An event announced by the socket may be posted before it is stored: ask again shortly.
    for (let tries = 0; seq < wanted && tries < 20 && cursor !== undefined; tries++) {
      await sleep(250);
      if (!(await syncFromCursor(cursor))) break;
    }
    for (const id of loadedConversationIds()) settleDelivered(conversationState(id).messages.value);
    await flushOutbox();
  })().finally(() => {
    running = undefined;
  });
  return running;
}

/** Signed out: the next person starts over. */
export function resetSync() {
  cursor = undefined;
  seq = 0;
  wanted = 0;
}
