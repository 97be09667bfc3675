/**
 * What a table-stream record says happened, read from its images: the only place that knows how changes look
 * in the table. Everything downstream (audiences, feeds, inboxes, previews) works on these changes.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { ConversationChange, LAST_CHANGE, MemberChange } from '../data/changes';
import {
  type ConversationRecord,
  type MemberRecord,
  toConversation,
  toMember,
} from '../data/conversations-store';
import { conversationIdFromPk, MEMBER_PREFIX, MESSAGE_PREFIX } from '../data/keys';
import { type MessageRecord, toMessage } from '../data/messages-store';
import { muteOf } from '../data/mutes-store';
import type { ReactionStamp } from '../data/reactions-store';
import { type Item, readImage as image } from '../data/stream-image';

export type Change =
  | { kind: 'message.created'; message: MessageRecord }
  /** `mentionedBefore`: whom the message mentioned before the change (an edit may change it; a deletion clears it). */
  | { kind: 'message.updated'; message: MessageRecord; mentionedBefore: string[] }
  | { kind: 'message.deleted'; message: MessageRecord; mentionedBefore: string[] }
  | { kind: 'member.joined'; member: MemberRecord }
  /** Left or removed: the membership as it was. */
  | { kind: 'member.left'; member: MemberRecord }
  /** `at`: when the role changed (the writer's `changedAt`; absent on items written before it was stamped). */
  | { kind: 'member.role'; member: MemberRecord; previous: MemberRecord; at?: string }
  | { kind: 'member.read'; member: MemberRecord; previous: MemberRecord | undefined }
  /** The member muted or unmuted the conversation: how it reads now (an expired mute reads as none). */
  | { kind: 'member.muted'; member: MemberRecord; mute: { muted: boolean; mutedUntil?: string } }
  | { kind: 'conversation.renamed'; conversation: ConversationRecord; at?: string }
  /** Members left or were removed (their memberships' removals are the events): only when, for the batch. */
  | { kind: 'conversation.members-removed'; at?: string }
  | { kind: 'reaction.added' | 'reaction.removed'; reaction: ReactionChange };

/** A reaction added or removed, with the emoji's count after it (0 when it was the last). */
export interface ReactionChange {
  messageId: string;
  userId: string;
  emoji: string;
  count: number;
  at: string;
}

/** A change with where it came from: its index in the batch and its place in the stream. */
export interface RecordedChange {
  index: number;
  /** The stream's sequence number, zero-padded so that positions compare as strings. */
  position: string;
  change: Change;
}

/** DynamoDB Streams sequence numbers are decimal strings of up to 40 digits. */
export const streamPosition = (record: DynamoDBRecord) =>
  (record.dynamodb?.SequenceNumber ?? '').padStart(40, '0');

/** The conversation a record belongs to, if it is a conversation's item. */
export function conversationOf(record: DynamoDBRecord): string | undefined {
  const pk = record.dynamodb?.Keys?.PK?.S;
  return pk?.startsWith('CONV#') ? conversationIdFromPk(pk) : undefined;
}

function messageChange(record: DynamoDBRecord): Change | undefined {
  const next = image(record.dynamodb?.NewImage);
  if (!next) return undefined;
  const previous = image(record.dynamodb?.OldImage);
  const message = toMessage(next);
  if (record.eventName === 'INSERT') return { kind: 'message.created', message };
  if (record.eventName !== 'MODIFY') return undefined;
  const mentionedBefore = previous ? (toMessage(previous).mentionedUserIds ?? []) : [];
  if (next.deletedAt && !previous?.deletedAt) return { kind: 'message.deleted', message, mentionedBefore };
  if (next.editedAt && next.editedAt !== previous?.editedAt && !next.deletedAt) {
    return { kind: 'message.updated', message, mentionedBefore };
  }
  // A reply counted on its thread's root (the send transaction's ADD): members see the new count and time.
  if (next.replyCount !== previous?.replyCount && !next.deletedAt)
    return { kind: 'message.updated', message, mentionedBefore };
  return reactionChange(next, previous);
}

/**
 * A reaction writes its count and a stamp of what it did (`lastReaction`, data/reactions-store.ts) on the
 * message: a new stamp is the change. Edits and deletions keep the stamp they find, so they are never taken
 * for one; a deleted message takes no reactions.
 */
function reactionChange(next: Item, previous: Item | undefined): Change | undefined {
  const stamp = next.lastReaction as ReactionStamp | undefined;
  const before = previous?.lastReaction as ReactionStamp | undefined;
  if (!stamp || stamp.id === before?.id || next.deletedAt) return undefined;
  const counts = (next.reactions ?? {}) as Record<string, number>;
  return {
    kind: stamp.added ? 'reaction.added' : 'reaction.removed',
    reaction: {
      messageId: String(next.id),
      userId: stamp.userId,
      emoji: stamp.emoji,
      count: counts[stamp.emoji] ?? 0,
      at: stamp.at,
    },
  };
}

function memberChange(record: DynamoDBRecord): Change | undefined {
  const next = image(record.dynamodb?.NewImage);
  const previous = image(record.dynamodb?.OldImage);
  if (record.eventName === 'REMOVE')
    return previous ? { kind: 'member.left', member: toMember(previous) } : undefined;
  if (!next) return undefined;
  const member = toMember(next);
  if (record.eventName === 'INSERT') return { kind: 'member.joined', member };
  const change = next[LAST_CHANGE];
  if (change === MemberChange.role && previous && previous.role !== next.role) {
    return { kind: 'member.role', member, previous: toMember(previous), ...changedAtOf(next) };
  }
  if (
    change === MemberChange.read &&
    member.lastReadMessageId &&
    member.lastReadMessageId !== previous?.lastReadMessageId
  ) {
    return { kind: 'member.read', member, previous: previous ? toMember(previous) : undefined };
  }
  if (change === MemberChange.muted) return { kind: 'member.muted', member, mute: muteOf(next) };
  return undefined;
}

function conversationChange(record: DynamoDBRecord): Change | undefined {
  const next = image(record.dynamodb?.NewImage);
  if (record.eventName !== 'MODIFY' || !next) return undefined;
  if (next[LAST_CHANGE] === ConversationChange.removed) {
    return { kind: 'conversation.members-removed', ...changedAtOf(next) };
  }
  if (next[LAST_CHANGE] !== ConversationChange.renamed) return undefined;
  return { kind: 'conversation.renamed', conversation: toConversation(next), ...changedAtOf(next) };
}

const changedAtOf = (item: Item): { at?: string } =>
  typeof item.changedAt === 'string' ? { at: item.changedAt } : {};

/** The change a conversation's record means, if any. */
export function changeOf(record: DynamoDBRecord): Change | undefined {
  const sortKey = record.dynamodb?.Keys?.SK?.S;
  if (!sortKey || !conversationOf(record)) return undefined;
  if (sortKey.startsWith(MESSAGE_PREFIX)) return messageChange(record);
  if (sortKey.startsWith(MEMBER_PREFIX)) return memberChange(record);
  if (sortKey === 'META') return conversationChange(record);
  return undefined;
}
