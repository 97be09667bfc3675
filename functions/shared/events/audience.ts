/**
 * Who is told of a change, and what they are told: the one place that decides an event's audience. Features
 * that change who may see what (blocks, mutes, moderation, account deletion) change it here.
 *
 * The rules (docs/realtime.md): a conversation's events go to its members at the time of the change, the
 * author included (their other devices follow along), and to nobody else. A new member is told they joined,
 * with the conversation as it is; the others that someone was added. A member who leaves or is removed is
 * told, and nothing after it. A read marker is an event for its owner always, and for the others in direct
 * chats and groups of up to `readReceiptsUpToMembers` members (above that, every read would be an event for
 * every member: O(members²) writes per message read by all).
 */
import type { ConversationType, MemberRecord } from '../data/conversations-store';
import type { Change } from '../projections/changes';
import type { StoredEvent } from './stored-events';

export interface Roster {
  type: ConversationType | undefined;
  /** The members at the time of the change, before it applies. */
  members: ReadonlyMap<string, MemberRecord>;
}

export interface Addressed {
  to: readonly string[];
  event: StoredEvent;
}

export interface AudienceContext {
  conversationId: string;
  readReceiptsUpToMembers: number;
  /** The conversation as a new member first sees it. */
  joinedSnapshot(member: MemberRecord): Extract<StoredEvent, { type: 'conversation.joined' }>['conversation'];
}

const everyone = (roster: Roster) => [...roster.members.keys()];

export function audienceOf(change: Change, roster: Roster, context: AudienceContext): Addressed[] {
  const { conversationId } = context;
  switch (change.kind) {
    case 'message.created': {
      // A mentioned member (not the sender mentioning themselves) is told so in their own event only.
      const { message } = change;
      const event = { type: change.kind, conversationId, message } as const;
      const mentioned = new Set((message.mentionedUserIds ?? []).filter((id) => id !== message.senderId));
      const to = everyone(roster);
      const told = to.filter((userId) => mentioned.has(userId));
      return [
        { to: to.filter((userId) => !mentioned.has(userId)), event },
        ...(told.length ? [{ to: told, event: { ...event, mentioned: true as const } }] : []),
      ];
    }
    case 'message.updated':
    case 'message.deleted':
      return [
        { to: everyone(roster), event: { type: change.kind, conversationId, message: change.message } },
      ];
    case 'member.joined': {
      const { member } = change;
      return [
        {
          to: [member.userId],
          event: {
            type: 'conversation.joined',
            conversationId,
            conversation: context.joinedSnapshot(member),
          },
        },
        {
          to: everyone(roster).filter((userId) => userId !== member.userId),
          event: {
            type: 'member.added',
            conversationId,
            userId: member.userId,
            role: member.role,
            joinedAt: member.joinedAt,
            lastReadMessageId: member.lastReadMessageId,
            lastReadAt: member.lastReadAt,
          },
        },
      ];
    }
    case 'member.left': {
      const { userId } = change.member;
      const to = everyone(roster);
      return [
        {
          to: to.includes(userId) ? to : [...to, userId],
          event: { type: 'member.removed', conversationId, userId },
        },
      ];
    }
    case 'member.role':
      return [
        {
          to: everyone(roster),
          event: {
            type: 'member.updated',
            conversationId,
            userId: change.member.userId,
            role: change.member.role,
          },
        },
      ];
    case 'member.read': {
      const { member } = change;
      const receiptsForAll =
        roster.type === 'direct' || roster.members.size <= context.readReceiptsUpToMembers;
      return [
        {
          to: receiptsForAll ? everyone(roster) : [member.userId],
          event: {
            type: 'conversation.read',
            conversationId,
            userId: member.userId,
            lastReadMessageId: member.lastReadMessageId as string,
            lastReadAt: member.lastReadAt,
          },
        },
      ];
    }
    case 'conversation.renamed':
      return [
        {
          to: everyone(roster),
          event: { type: 'conversation.updated', conversationId, name: change.conversation.name },
        },
      ];
    case 'reaction.added':
    case 'reaction.removed':
      return [{ to: everyone(roster), event: { type: change.kind, conversationId, ...change.reaction } }];
    case 'conversation.members-removed':
      return []; // each removal's own record is its event
    case 'member.muted':
      // Private: the muting member's other devices, nobody else.
      return [
        {
          to: [change.member.userId],
          event: { type: 'conversation.muted', conversationId, ...change.mute },
        },
      ];
  }
}
