/**
 * Inbox entries, kept by the stream consumer off everyone's request path: for each member a conversation's
 * changes concern, its position (the newest message), its unread count, and what it has applied.
 *
 * Unread counts are counters, maintained in commit order (the stream hands one conversation's records over in
 * order): a message from someone else after the member's marker adds one; its deletion takes it back; the
 * member moving their marker (or sending) recounts, bounded: 0 without reading anything when the marker is at
 * the newest message, else one Query page of at most 100 messages (data/messages-store.ts). So reading the
 * inbox never counts anything, and no member can make anyone's reads or this function's work grow by sending
 * and deleting messages. The one imprecision: a member more than 100 messages behind who moves their marker
 * gets the count of the next 100 messages (it grows from there with new messages).
 *
 * Unread mentions (`unreadMentionCount`) are the unread messages that mention the member, kept alongside in
 * the same updates: a message counted unread counts as a mention too when its `mentionedUserIds` has the
 * member; its deletion takes both back; an edit that adds or removes the member's mention of a message still
 * unread adds or takes one (so the counter always equals what a recount finds); a recount counts both in its
 * one Query.
 *
 * Idempotent: each entry records the stream position of the last change it applied (`appliedUpTo`), and a
 * redelivered record at or before it changes nothing.
 */

import { queryBlockedIds } from '../data/blocks-store';
import {
  advanceInboxEntry,
  deleteInboxEntry,
  getInboxEntry,
  type InboxRecord,
  type InboxWriteOutcome,
  replaceInboxEntry,
} from '../data/inbox-store';
import { countUnreadBetween } from '../data/messages-store';

export type InboxOp =
  /** `mentioned`: the message mentions this member. */
  | { kind: 'message'; position: string; id: string; senderId: string; mentioned?: boolean }
  /** `mentioned`: the message mentioned this member before its deletion. */
  | { kind: 'deleted'; position: string; id: string; senderId: string; mentioned?: boolean }
  /** An edit added (+1) or removed (-1) this member's mention. */
  | { kind: 'mention'; position: string; id: string; delta: 1 | -1 }
  | { kind: 'read'; position: string; messageId: string }
  | {
      kind: 'joined';
      position: string;
      activityId: string;
      readUpTo: string | null;
      latestMessageId: string | null;
    }
  | { kind: 'removed'; position: string };

/**
 * Counts a member's unread messages after `afterId` up to `upToId`, and those of them that mention the member;
 * bounded (see countUnreadBetween).
 */
export type UnreadCounter = (
  afterId: string | null,
  upToId: string,
) => Promise<{ unread: number; mentions: number }>;

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/** The entry after `ops`, from `state` (null: none): the exact computation. */
export async function foldInbox(
  member: { conversationId: string; userId: string },
  state: InboxRecord | null,
  ops: readonly InboxOp[],
  count: UnreadCounter,
): Promise<InboxRecord | null> {
  let entry = state ? { ...state } : null;
  const fresh = (activityId: string): InboxRecord => ({
    ...member,
    activityId,
    unreadCount: 0,
    unreadMentionCount: 0,
    readUpTo: null,
    latestMessageId: null,
    appliedUpTo: null,
  });
  /** The marker moved to `messageId`: what is unread after it, up to the newest message applied. */
  const recount = async (current: InboxRecord, messageId: string) => {
    if (current.readUpTo !== null && messageId <= current.readUpTo) return;
    current.readUpTo = messageId;
    const latest = current.latestMessageId;
    const counted =
      latest === null || messageId >= latest ? { unread: 0, mentions: 0 } : await count(messageId, latest);
    current.unreadCount = counted.unread;
    current.unreadMentionCount = counted.mentions;
  };
  /** Whether a message of someone else is among the unread ones the entry counts. */
  const isCounted = (current: InboxRecord, id: string) =>
    (current.readUpTo === null || id > current.readUpTo) &&
    current.latestMessageId !== null &&
    id <= current.latestMessageId;
  for (const op of ops) {
    if (entry?.appliedUpTo && op.position <= entry.appliedUpTo) continue;
    switch (op.kind) {
      case 'removed':
        entry = null;
        continue;
      case 'joined':
        entry ??= fresh(op.activityId);
        entry.activityId = later(entry.activityId, op.activityId) as string;
        entry.readUpTo = later(entry.readUpTo, op.readUpTo);
        entry.latestMessageId = later(entry.latestMessageId, op.latestMessageId);
        break;
      case 'message': {
        entry ??= fresh(op.id);
        entry.activityId = later(entry.activityId, op.id) as string;
        entry.latestMessageId = later(entry.latestMessageId, op.id);
        if (op.senderId === member.userId) await recount(entry, op.id);
        else if (entry.readUpTo === null || op.id > entry.readUpTo) {
          entry.unreadCount += 1;
          if (op.mentioned) entry.unreadMentionCount += 1;
        }
        break;
      }
      case 'deleted':
        if (entry && op.senderId !== member.userId && isCounted(entry, op.id)) {
          entry.unreadCount = Math.max(0, entry.unreadCount - 1);
          if (op.mentioned) entry.unreadMentionCount = Math.max(0, entry.unreadMentionCount - 1);
        }
        break;
      case 'mention':
        if (entry && isCounted(entry, op.id)) {
          entry.unreadMentionCount = Math.max(0, entry.unreadMentionCount + op.delta);
        }
        break;
      case 'read':
        entry ??= fresh(op.messageId);
        await recount(entry, op.messageId);
        break;
    }
    if (entry) entry.appliedUpTo = op.position;
  }
  return entry;
}

/**
 * The common case, new messages and deletions only, as one conditional UpdateItem with the count as a delta
 * (see advanceInboxEntry for what it assumes). Undefined when the ops are not of that kind.
 */
function advanceOf(member: { userId: string }, ops: readonly InboxOp[]) {
  let latest: string | undefined;
  let delta = 0;
  let mentionDelta = 0;
  let readBefore: string | undefined;
  for (const op of ops) {
    // Edits of mentions (rare) take the exact path: whether the message is still unread needs the entry.
    if (op.kind !== 'message' && op.kind !== 'deleted') return undefined;
    if (op.kind === 'message' && (latest === undefined || op.id > latest)) latest = op.id;
    if (op.senderId === member.userId) continue;
    delta += op.kind === 'message' ? 1 : -1;
    if (op.mentioned) mentionDelta += op.kind === 'message' ? 1 : -1;
    if (readBefore === undefined || op.id < readBefore) readBefore = op.id;
  }
  const first = ops[0];
  const last = ops.at(-1);
  if (!first || !last || latest === undefined) return undefined;
  return {
    activityId: latest,
    latestMessageId: latest,
    appliedUpTo: last.position,
    unreadDelta: delta,
    mentionDelta,
    assume: { appliedBefore: first.position, ...(readBefore ? { readBefore } : {}) },
  };
}

const MAX_ATTEMPTS = 5;

/** Applies one member's ops of a stream batch to their inbox entry. */
export async function applyInboxOps(
  member: { conversationId: string; userId: string },
  ops: readonly InboxOp[],
): Promise<void> {
  if (ops.length === 0) return;
  // Who the member blocked is read only when a recount reads messages (their messages are not counted).
  let blocked: Promise<Set<string>> | undefined;
  const count: UnreadCounter = async (afterId, upToId) => {
    blocked ??= queryBlockedIds(member.userId);
    const ids = [...(await blocked)];
    return countUnreadBetween(member.conversationId, member.userId, afterId, upToId, ids);
  };
  let outcome: InboxWriteOutcome | undefined;
  const advance = advanceOf(member, ops);
  if (advance) {
    outcome = await advanceInboxEntry(member.conversationId, member.userId, advance);
    if (outcome.applied) return;
  }
  let current =
    outcome && !outcome.applied ? outcome.current : await getInboxEntry(member.conversationId, member.userId);
  for (let attempt = 1; ; attempt++) {
    const next = await foldInbox(member, current, ops, count);
    if (next === null) {
      if (current !== null) await deleteInboxEntry(member.conversationId, member.userId);
      return;
    }
    if (current !== null && JSON.stringify(next) === JSON.stringify(current)) return;
    const written = await replaceInboxEntry(next, current);
    if (written.applied) return;
    if (attempt >= MAX_ATTEMPTS) {
      throw Object.assign(new Error('The inbox entry kept changing while it was updated'), {
        name: 'InboxContention',
      });
    }
    current = written.current;
  }
}
