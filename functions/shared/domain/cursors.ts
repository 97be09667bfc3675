/**
 * Opaque pagination cursors. Each names the listing it belongs to; a cursor that was forged, damaged or
 * taken from another listing is a 400, and is never turned into a key outside the caller's own listing.
 */
import { ForbiddenError, ValidationError } from '../errors';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const isUlid = (value: string) => ULID.test(value);
/** Inbox positions as cursors carry them: the entry's activity ULID, and a group's ULID or a direct chat's `dm_` id. */
const ACTIVITY_KEY = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const CONVERSATION_ID = /^(?:[0-9A-HJKMNP-TV-Z]{26}|dm_[\w-]{32})$/;

function encode(payload: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...payload })).toString('base64url');
}

function decode(cursor: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && (value as { v?: unknown }).v === 1) {
      return value as Record<string, unknown>;
    }
  } catch {
    // fall through to the 400 below
  }
  throw invalidCursor();
}

const invalidCursor = () =>
  new ValidationError('The cursor is not valid for this listing.', [
    { field: '(query) cursor', message: 'is not a cursor returned by this listing' },
  ]);

/**
 * A position in one conversation's history. Paging goes older (the default, newest first) or newer (the
 * catch-up form, `?after=`, oldest first): the cursor carries which, so a catch-up goes on with `cursor` alone.
 */
export const messageCursor = {
  encode: (conversationId: string, messageId: string, direction: 'older' | 'newer' = 'older') =>
    encode({
      kind: 'messages',
      c: conversationId,
      m: messageId,
      ...(direction === 'newer' ? { d: 'newer' } : {}),
    }),
  /** The message id to continue from and which way, if the cursor belongs to this conversation's history. */
  decode(cursor: string, conversationId: string): { messageId: string; newer: boolean } {
    const value = decode(cursor);
    if (
      value.kind !== 'messages' ||
      value.c !== conversationId ||
      typeof value.m !== 'string' ||
      !isUlid(value.m) ||
      (value.d !== undefined && value.d !== 'newer')
    ) {
      throw invalidCursor();
    }
    return { messageId: value.m, newer: value.d === 'newer' };
  },
};

/** A position in one thread's replies: the conversation, the root, and the last reply of the page. */
export const repliesCursor = {
  encode: (conversationId: string, rootId: string, replyId: string) =>
    encode({ kind: 'replies', c: conversationId, r: rootId, m: replyId }),
  /** The reply id to continue after, if the cursor belongs to this thread. */
  decode(cursor: string, conversationId: string, rootId: string): string {
    const value = decode(cursor);
    if (
      value.kind !== 'replies' ||
      value.c !== conversationId ||
      value.r !== rootId ||
      typeof value.m !== 'string' ||
      !isUlid(value.m)
    ) {
      throw invalidCursor();
    }
    return value.m;
  },
};

export const inboxCursor = {
  encode: (userId: string, activityId: string, conversationId: string) =>
    encode({ kind: 'inbox', u: userId, a: activityId, c: conversationId }),
  decode(cursor: string, userId: string): { activityId: string; conversationId: string } {
    const value = decode(cursor);
    if (
      value.kind !== 'inbox' ||
      value.u !== userId ||
      typeof value.a !== 'string' ||
      typeof value.c !== 'string' ||
      !ACTIVITY_KEY.test(value.a) ||
      !CONVERSATION_ID.test(value.c)
    ) {
      throw invalidCursor();
    }
    return { activityId: value.a, conversationId: value.c };
  },
};

/**
 * A position in a user's stream of changes: the user, the position (`s`), and when the event at that position
 * was written (`t`, epoch ms), which says whether what follows it may have expired. Naming the user lets a
 * cursor of another user be refused rather than read as one's own.
 */
export const syncCursor = {
  encode: (userId: string, seq: number, at: number) =>
    encode({ kind: 'sync', u: userId, s: String(seq), t: String(at) }),
  decode(cursor: string, userId: string): { seq: number; at: number } {
    let value: Record<string, unknown>;
    try {
      value = decode(cursor);
    } catch {
      throw invalidSince();
    }
    const seq = Number(value.s);
    const at = Number(value.t);
    if (
      value.kind !== 'sync' ||
      typeof value.u !== 'string' ||
      !Number.isSafeInteger(seq) ||
      seq < 0 ||
      !Number.isSafeInteger(at) ||
      at < 0
    ) {
      throw invalidSince();
    }
    if (value.u !== userId) throw new ForbiddenError('The cursor belongs to another user.');
    return { seq, at };
  },
};

const invalidSince = () =>
  new ValidationError('since is not a cursor of GET /sync or of an event.', [
    { field: '(query) since', message: 'is not a cursor returned by GET /sync or an event' },
  ]);

/** Who reacted with one emoji to one message: continues after a user id, within that listing only. */
export const reactionCursor = {
  encode: (conversationId: string, messageId: string, emoji: string, userId: string) =>
    encode({ kind: 'reactions', c: conversationId, m: messageId, e: emoji, u: userId }),
  decode(cursor: string, conversationId: string, messageId: string, emoji: string): string {
    const value = decode(cursor);
    if (
      value.kind !== 'reactions' ||
      value.c !== conversationId ||
      value.m !== messageId ||
      value.e !== emoji ||
      typeof value.u !== 'string' ||
      !isUlid(value.u)
    ) {
      throw invalidCursor();
    }
    return value.u;
  },
};
