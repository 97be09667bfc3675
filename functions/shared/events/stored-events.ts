/**
 * The events of users' streams of changes, as the feed stores them, and how they are shown. Stored events hold
 * what does not expire (a message with its media key); presenting one makes what does (a signed CDN URL), at
 * the time it is posted to a socket or returned by GET /sync. docs/realtime.md describes every event.
 */
import type { ConversationRecord, MemberRecord, Role } from '../data/conversations-store';
import type { MessageRecord } from '../data/messages-store';
import { syncCursor } from '../domain/cursors';
import { presentMessage } from '../domain/messages';
import type { FeedEvent } from '../schemas/realtime';

export type StoredEvent =
  | {
      type: 'message.created' | 'message.updated' | 'message.deleted';
      conversationId: string;
      message: MessageRecord;
      /** `message.created` to a member the message mentions (only in that member's own event). */
      mentioned?: true;
    }
  | {
      type: 'conversation.read';
      conversationId: string;
      userId: string;
      lastReadMessageId: string;
      lastReadAt: string | null;
    }
  | {
      type: 'member.added';
      conversationId: string;
      userId: string;
      role: Role;
      joinedAt: string;
      /** Absent in entries stored before members joined with a marker in the event. */
      lastReadMessageId?: string | null;
      lastReadAt?: string | null;
    }
  | { type: 'member.updated'; conversationId: string; userId: string; role: Role }
  | { type: 'member.removed'; conversationId: string; userId: string }
  | {
      type: 'conversation.joined';
      conversationId: string;
      conversation: ConversationRecord & { myRole: Role; members?: MemberRecord[] };
    }
  | { type: 'conversation.updated'; conversationId: string; name: string | null }
  | { type: 'conversation.muted'; conversationId: string; muted: boolean; mutedUntil?: string }
  | {
      type: 'reaction.added' | 'reaction.removed';
      conversationId: string;
      messageId: string;
      userId: string;
      emoji: string;
      count: number;
      at: string;
    };

/** A feed event as clients see it, before its position is added. */
export type PresentedEvent = FeedEvent extends infer E
  ? E extends FeedEvent
    ? Omit<E, 'seq' | 'cursor'>
    : never
  : never;

const presentMember = (member: MemberRecord) => ({
  userId: member.userId,
  role: member.role,
  joinedAt: member.joinedAt,
  lastReadMessageId: member.lastReadMessageId,
  lastReadAt: member.lastReadAt,
});

/** The event as the HTTP API would show its parts; only the fields the protocol names (nothing stored leaks). */
export async function presentEvent(event: StoredEvent, now = new Date()): Promise<PresentedEvent> {
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
    case 'message.deleted':
      return {
        type: event.type,
        conversationId: event.conversationId,
        message: await presentMessage(event.message, now),
        ...(event.mentioned ? { mentioned: true as const } : {}),
      };
    case 'conversation.joined': {
      const { members, ...conversation } = event.conversation;
      return {
        type: event.type,
        conversationId: event.conversationId,
        conversation: {
          id: conversation.id,
          type: conversation.type,
          name: conversation.name,
          createdBy: conversation.createdBy,
          createdAt: conversation.createdAt,
          memberCount: conversation.memberCount,
          lastMessage: conversation.lastMessage,
          lastActivityAt: conversation.lastActivityAt,
          myRole: conversation.myRole,
          ...(members ? { members: members.map(presentMember) } : {}),
        },
      };
    }
    case 'conversation.read':
      return {
        type: event.type,
        conversationId: event.conversationId,
        userId: event.userId,
        lastReadMessageId: event.lastReadMessageId,
        lastReadAt: event.lastReadAt,
      };
    case 'member.added':
      return {
        type: event.type,
        conversationId: event.conversationId,
        userId: event.userId,
        role: event.role,
        joinedAt: event.joinedAt,
        lastReadMessageId: event.lastReadMessageId ?? null,
        lastReadAt: event.lastReadAt ?? null,
      };
    case 'member.updated':
      return {
        type: event.type,
        conversationId: event.conversationId,
        userId: event.userId,
        role: event.role,
      };
    case 'member.removed':
      return { type: event.type, conversationId: event.conversationId, userId: event.userId };
    case 'conversation.updated':
      return { type: event.type, conversationId: event.conversationId, name: event.name };
    case 'conversation.muted':
      return {
        type: event.type,
        conversationId: event.conversationId,
        muted: event.muted,
        ...(event.mutedUntil ? { mutedUntil: event.mutedUntil } : {}),
      };
    case 'reaction.added':
    case 'reaction.removed':
      return {
        type: event.type,
        conversationId: event.conversationId,
        messageId: event.messageId,
        userId: event.userId,
        emoji: event.emoji,
        count: event.count,
        at: event.at,
      };
  }
}

/** The event at its place in one user's stream. */
export const positioned = (event: PresentedEvent, userId: string, seq: number, at: number): FeedEvent =>
  ({ ...event, seq, cursor: syncCursor.encode(userId, seq, at) }) as FeedEvent;
