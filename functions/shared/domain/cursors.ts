/**
 * Opaque pagination cursors. Each names the listing it belongs to; a cursor that was forged, damaged or
 * taken from another listing is a 400, and is never turned into a key outside the caller's own listing.
 */
import { ValidationError } from '../errors';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const isUlid = (value: string) => ULID.test(value);
/** Inbox positions as the index holds them: `ACT#<ULID>`, and a group's ULID or a direct chat's `dm_` id. */
const ACTIVITY_KEY = /^ACT#[0-9A-HJKMNP-TV-Z]{26}$/;
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

export const messageCursor = {
  encode: (conversationId: string, messageId: string) =>
    encode({ kind: 'messages', c: conversationId, m: messageId }),
  /** The message id to continue below, if the cursor belongs to this conversation's history. */
  decode(cursor: string, conversationId: string): string {
    const value = decode(cursor);
    if (
      value.kind !== 'messages' ||
      value.c !== conversationId ||
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
