/**
 * Real-time delivery from the table's stream: turns a change of a message or a membership into an event and
 * posts it to every open connection of every member of the conversation, and of nobody else. Membership is
 * read when the change is delivered, so a removed member stops receiving at once (the removal itself
 * excepted: the removed member is told, from the old image).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { toMember } from '../data/conversations-store';
import { conversationIdFromPk, inboxIndexKey, MEMBER_PREFIX, MESSAGE_PREFIX } from '../data/keys';
import { toMessage } from '../data/messages-store';
import { type Item, readImage as image } from '../data/stream-image';
import { presentMessage } from '../domain/messages';
import { logger } from '../logger';
import { type ConnectionSender, managementApiSender } from '../realtime/connection-sender';
import { CachingDirectory, type Directory, deliver, tableDirectory } from '../realtime/delivery';
import type { ConversationEvent } from '../schemas/realtime';

interface Change {
  event: ConversationEvent;
  /** Told besides the current members: a removed member. */
  alsoTell?: string;
  /** The membership this change makes (or ends), to keep the batch's remembered member lists current. */
  membership?: { userId: string; isMember: boolean };
}

async function messageChange(record: DynamoDBRecord, conversationId: string, next: Item, previous?: Item) {
  const type =
    record.eventName === 'INSERT'
      ? 'message.created'
      : next.deletedAt && !previous?.deletedAt
        ? 'message.deleted'
        : next.editedAt && next.editedAt !== previous?.editedAt && !next.deletedAt
          ? 'message.updated'
          : undefined;
  if (!type) return undefined;
  return { event: { type, conversationId, message: await presentMessage(toMessage(next)) } } satisfies Change;
}

function memberChange(record: DynamoDBRecord, conversationId: string, next?: Item, previous?: Item) {
  if (record.eventName === 'INSERT' && next) {
    const member = toMember(next);
    return {
      event: {
        type: 'member.added',
        conversationId,
        userId: member.userId,
        role: member.role,
        joinedAt: member.joinedAt,
      },
      membership: { userId: member.userId, isMember: true },
    } satisfies Change;
  }
  if (record.eventName === 'REMOVE' && previous) {
    const userId = previous.userId as string;
    return {
      event: { type: 'member.removed', conversationId, userId },
      alsoTell: userId,
      membership: { userId, isMember: false },
    } satisfies Change;
  }
  if (record.eventName !== 'MODIFY' || !next) return undefined;
  // Most member updates only move the inbox entry (GSI1SK): they are no event. A read marker is one, except
  // the move that sending a message makes (GSI1SK and the marker move to the new message together): the
  // message.created event already says that its sender has read it.
  const member = toMember(next);
  const marker = member.lastReadMessageId;
  if (!marker || marker === previous?.lastReadMessageId) return undefined;
  const sentIt =
    next.GSI1SK === inboxIndexKey(member.userId, marker).GSI1SK && next.GSI1SK !== previous?.GSI1SK;
  if (sentIt) return undefined;
  return {
    event: {
      type: 'conversation.read',
      conversationId,
      userId: member.userId,
      lastReadMessageId: marker,
      lastReadAt: member.lastReadAt,
    },
  } satisfies Change;
}

/** The event a stream record means, if any. */
export async function changeOf(record: DynamoDBRecord): Promise<Change | undefined> {
  const keys = image(record.dynamodb?.Keys);
  const pk = keys?.PK;
  const sk = keys?.SK;
  if (typeof pk !== 'string' || typeof sk !== 'string' || !pk.startsWith('CONV#')) return undefined;
  const conversationId = conversationIdFromPk(pk);
  const next = image(record.dynamodb?.NewImage);
  const previous = image(record.dynamodb?.OldImage);
  if (sk.startsWith(MESSAGE_PREFIX))
    return next ? messageChange(record, conversationId, next, previous) : undefined;
  if (sk.startsWith(MEMBER_PREFIX)) return memberChange(record, conversationId, next, previous);
  return undefined;
}

export interface RealtimeProjector {
  project(record: DynamoDBRecord): Promise<void>;
}

/**
 * One per stream batch: it remembers members and connections for the batch's length. Without a sender
 * (WEBSOCKET_CALLBACK_URL unset) it delivers nothing.
 */
export function createRealtimeProjector(
  deps: { sender?: ConnectionSender; directory?: Directory } = {},
): RealtimeProjector {
  const sender = deps.sender ?? managementApiSender();
  if (!sender) return { project: async () => undefined };
  const directory = new CachingDirectory(deps.directory ?? tableDirectory);
  return {
    async project(record) {
      const change = await changeOf(record);
      if (!change) return;
      const { event } = change;
      if (change.membership) {
        await directory.noteMembership(
          event.conversationId,
          change.membership.userId,
          change.membership.isMember,
        );
      }
      const members = await directory.membersOf(event.conversationId);
      const audience = change.alsoTell ? [...members, change.alsoTell] : members;
      const report = await deliver(audience, event, { sender, directory });
      logger.debug('delivered', { eventType: event.type, conversationId: event.conversationId, ...report });
    },
  };
}
