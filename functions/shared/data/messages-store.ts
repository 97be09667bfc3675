/** Data access for messages, idempotency records and read markers. Knows DynamoDB; knows nothing of HTTP. */
import { GetCommand, QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { LAST_CHANGE, MemberChange } from './changes';
import { cancellationCodes, cancelledItem, dynamo, tableName, transactWrite } from './client';
import { memberCondition } from './conversations-store';
import {
  clientMessageKey,
  conversationKey,
  inboxIndexKey,
  inboxKey,
  MESSAGE_PREFIX,
  memberKey,
  messageKey,
} from './keys';
import { originStamp } from './origin';

export type StoredContent =
  | { type: 'text'; text: string }
  | {
      type: 'video' | 'image' | 'file' | 'audio';
      /** The media id, its S3 key and what the upload check verified. */
      media: string;
      key: string;
      contentType: string;
      size: number;
      metadata?: Record<string, unknown>;
      /** Files and voice notes: the upload's (safe) file name, null when none was given. */
      fileName?: string | null;
      /** Voice notes, as the sender's client measured them. */
      durationMs?: number;
      waveform?: number[];
    };

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  content: StoredContent | null;
  createdAt: string;
  editedAt?: string;
  deletedAt?: string;
  clientMessageId?: string;
}

/**
 * Client metadata (free-form JSON) is stored as a JSON string, opaque to DynamoDB. As a map it exposed user
 * content to encoding edge cases: an empty object arrives without its type in DynamoDB Local's stream
 * images, and the marshaller takes an object with a "constructor" key for a class instance (a 500, or with
 * `{"constructor":{"name":"String"}}` a map silently stored as "[object Object]"). Items written before
 * hold a map: both read back the same.
 */
type ItemContent = Omit<Extract<StoredContent, { media: string }>, 'metadata'> & {
  metadata?: string | object;
};

function contentToItem(content: StoredContent | null) {
  if (!content || content.type === 'text' || content.metadata === undefined) return content;
  return { ...content, metadata: JSON.stringify(content.metadata) };
}

function contentFromItem(value: unknown): StoredContent | null {
  const content = value as StoredContent | ItemContent | undefined;
  if (!content) return null;
  if (content.type === 'text' || typeof content.metadata !== 'string') return content as StoredContent;
  return { ...content, metadata: JSON.parse(content.metadata) as Record<string, unknown> };
}

export function toMessage(item: Record<string, unknown>): MessageRecord {
  return {
    id: item.id as string,
    conversationId: item.conversationId as string,
    senderId: item.senderId as string,
    content: contentFromItem(item.content),
    createdAt: item.createdAt as string,
    ...(item.editedAt ? { editedAt: item.editedAt as string } : {}),
    ...(item.deletedAt ? { deletedAt: item.deletedAt as string } : {}),
    ...(item.clientMessageId ? { clientMessageId: item.clientMessageId as string } : {}),
  };
}

/** The message's attributes as stored (in its own item, and in its idempotency record). */
const storedMessage = (message: MessageRecord) => ({ ...message, content: contentToItem(message.content) });

const messageItem = (message: MessageRecord) => ({
  ...messageKey(message.conversationId, message.id),
  type: 'Message',
  ...storedMessage(message),
  ...originStamp(),
});

/** The region stamp as an update clause (see origin.ts). */
const stampClause = () => {
  const stamp = originStamp();
  return stamp.writtenIn
    ? { set: ', writtenIn = :writtenIn', values: { ':writtenIn': stamp.writtenIn } }
    : { set: '', values: {} };
};

export type SendOutcome =
  | { outcome: 'sent' }
  | { outcome: 'duplicate'; original: MessageRecord }
  | { outcome: 'not-member' };

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The send transaction: the message; the sender's membership (the condition: a removed member cannot send,
 * not even in a race), moving the sender's read marker forward to the message; the sender's inbox entry
 * (to the top, nothing unread), so the sender sees the move at once; and, with a clientMessageId, the
 * idempotency record. Everyone else's inbox, the preview and the events follow from the table stream: nothing
 * here grows with the size of the group.
 *
 * `moveMarker: false` (the marker) and `moveInbox: false` (the inbox entry) are the retry when that one was
 * already past this message (the same sender's sends committed out of order, or a newer message already moved
 * the inbox): markers and positions only move forward, and that is no reason to refuse the message.
 */
function sendItems(message: MessageRecord, moveMarker: boolean, moveInbox: boolean): TransactItem[] {
  const { conversationId, senderId, clientMessageId } = message;
  return [
    {
      Put: {
        TableName: tableName,
        Item: messageItem(message),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    moveMarker
      ? {
          Update: {
            TableName: tableName,
            Key: memberKey(conversationId, senderId),
            UpdateExpression: 'SET lastReadMessageId = :id, lastReadAt = :at, #change = :sent',
            ConditionExpression:
              'attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :id)',
            ExpressionAttributeNames: { '#change': LAST_CHANGE },
            ExpressionAttributeValues: {
              ':id': message.id,
              ':at': message.createdAt,
              ':sent': MemberChange.sent,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        }
      : memberCondition(conversationId, senderId),
    ...(moveInbox
      ? [
          {
            Update: {
              TableName: tableName,
              Key: inboxKey(conversationId, senderId),
              // The entry exists from the join on (written with the membership, or by the stream consumer); a
              // missing one fails the condition and the send goes through without the move (see above).
              UpdateExpression: 'SET GSI1SK = :activity, readUpTo = :id, unreadCount = :zero',
              ConditionExpression:
                'GSI1SK < :activity AND (attribute_not_exists(readUpTo) OR readUpTo < :id)',
              ExpressionAttributeValues: {
                ':activity': inboxIndexKey(senderId, message.id).GSI1SK,
                ':id': message.id,
                ':zero': 0,
              },
            },
          } satisfies TransactItem,
        ]
      : []),
    ...(clientMessageId
      ? [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...clientMessageKey(conversationId, senderId, clientMessageId),
                type: 'ClientMessageId',
                message: storedMessage(message),
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ]
      : []),
  ];
}

/** Stores a message with what it changes for its sender; see sendItems. */
export async function sendMessage(message: MessageRecord): Promise<SendOutcome> {
  const { conversationId, senderId, clientMessageId } = message;
  let [moveMarker, moveInbox] = [true, true];
  // Every condition is evaluated, so one retry drops whatever was already ahead; a third try covers a race.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await transactWrite({ TransactItems: sendItems(message, moveMarker, moveInbox) });
      return { outcome: 'sent' };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const failed = (index: number) => codes[index] === 'ConditionalCheckFailed';
      const reasons = (error as { CancellationReasons?: { Item?: unknown }[] }).CancellationReasons;
      // The membership failing with no item is no membership; with one, a marker already ahead.
      if (failed(1) && (!moveMarker || !reasons?.[1]?.Item)) return { outcome: 'not-member' };
      if (clientMessageId && failed(moveInbox ? 3 : 2)) {
        const original = await getByClientMessageId(conversationId, senderId, clientMessageId);
        if (original) return { outcome: 'duplicate', original };
      }
      const inboxAhead = moveInbox && failed(2);
      if (!failed(1) && !inboxAhead) throw error;
      moveMarker &&= !failed(1);
      moveInbox &&= !inboxAhead;
    }
  }
  throw new Error('the send could not be committed');
}

export async function getByClientMessageId(
  conversationId: string,
  senderId: string,
  clientMessageId: string,
) {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: tableName,
      Key: clientMessageKey(conversationId, senderId, clientMessageId),
      ConsistentRead: true,
    }),
  );
  return Item ? toMessage(Item.message as Record<string, unknown>) : undefined;
}

export async function getMessage(
  conversationId: string,
  messageId: string,
): Promise<MessageRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: tableName,
      Key: messageKey(conversationId, messageId),
      ConsistentRead: true,
    }),
  );
  return Item ? toMessage(Item) : undefined;
}

/**
 * A page of messages: newest first, strictly older than `beforeId`; or, with `afterId`, oldest first and
 * strictly newer (catch-up after a reconnect). The bound is a start key, so it never appears in the page.
 */
export async function queryMessages(
  conversationId: string,
  options: { limit: number; beforeId?: string; afterId?: string },
): Promise<{ messages: MessageRecord[]; hasMore: boolean }> {
  const pk = conversationKey(conversationId).PK;
  const boundId = options.afterId ?? options.beforeId;
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': MESSAGE_PREFIX },
      ScanIndexForward: options.afterId !== undefined,
      // One more than asked for tells whether another page exists, without returning an empty last page.
      Limit: options.limit + 1,
      ...(boundId ? { ExclusiveStartKey: messageKey(conversationId, boundId) } : {}),
    }),
  );
  const items = response.Items ?? [];
  return { messages: items.slice(0, options.limit).map(toMessage), hasMore: items.length > options.limit };
}

/** How many messages one unread count reads at most: the bound on the work a count may cost. */
export const UNREAD_COUNT_PAGE = 100;

/**
 * Messages after `afterId` up to `upToId` (inclusive) from others than `userId`, not deleted: one Query page of
 * at most UNREAD_COUNT_PAGE messages, whatever the conversation holds (a member who sends and deletes
 * thousands of messages cannot make it read more). When more than a page follows the marker, it counts what
 * is in the first page.
 */
export async function countUnreadBetween(
  conversationId: string,
  userId: string,
  afterId: string | null,
  upToId: string,
): Promise<number> {
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      FilterExpression: 'senderId <> :me AND attribute_not_exists(deletedAt)',
      ExpressionAttributeValues: {
        ':pk': conversationKey(conversationId).PK,
        ':from': MESSAGE_PREFIX,
        ':to': messageKey(conversationId, upToId).SK,
        ':me': userId,
      },
      Select: 'COUNT',
      Limit: UNREAD_COUNT_PAGE,
      ...(afterId ? { ExclusiveStartKey: messageKey(conversationId, afterId) } : {}),
    }),
  );
  return response.Count ?? 0;
}

/** Edits text; conditional on the caller being the sender, still a member, and the message not deleted. */
export async function editMessageText(
  message: MessageRecord,
  text: string,
  editedAt: string,
): Promise<'edited' | 'conflict'> {
  try {
    await transactWrite({
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: messageKey(message.conversationId, message.id),
            UpdateExpression: `SET content = :content, editedAt = :at${stampClause().set}`,
            ConditionExpression: 'senderId = :sender AND attribute_not_exists(deletedAt)',
            ExpressionAttributeValues: {
              ':content': { type: 'text', text },
              ':at': editedAt,
              ':sender': message.senderId,
              ...stampClause().values,
            },
          },
        },
        memberCondition(message.conversationId, message.senderId),
      ],
    });
    return 'edited';
  } catch (error) {
    if (cancellationCodes(error)?.includes('ConditionalCheckFailed')) return 'conflict';
    throw error;
  }
}

/** Replaces the message by a tombstone; conditional on the caller's membership (and role, for moderators). */
export async function tombstoneMessage(
  message: MessageRecord,
  callerId: string,
  deletedAt: string,
  asModerator: boolean,
): Promise<'deleted' | 'conflict'> {
  try {
    await transactWrite({
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: messageKey(message.conversationId, message.id),
            UpdateExpression: `SET deletedAt = :at, deletedBy = :caller${stampClause().set} REMOVE content`,
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
            ExpressionAttributeValues: { ':at': deletedAt, ':caller': callerId, ...stampClause().values },
          },
        },
        memberCondition(message.conversationId, callerId, asModerator ? ['owner', 'admin'] : undefined),
      ],
    });
    return 'deleted';
  } catch (error) {
    if (cancellationCodes(error)?.includes('ConditionalCheckFailed')) return 'conflict';
    throw error;
  }
}

/** What moving a read marker found, with what the failed transaction already told (no read needed after it). */
export type ReadMarkerMove =
  | { outcome: 'moved' }
  | { outcome: 'no-message'; isMember: boolean }
  | { outcome: 'not-member' }
  | { outcome: 'not-forward'; marker: { lastReadMessageId: string | null; lastReadAt: string | null } };

/**
 * Moves the caller's read marker forward to `messageId`, atomically checking that the message exists in the
 * conversation and the caller is a member. Says why it did not move, if it did not: a cancelled transaction
 * returns the membership as it was (`ReturnValuesOnConditionCheckFailure`), so the caller needs no second read.
 */
export async function tryMoveReadMarker(
  conversationId: string,
  userId: string,
  messageId: string,
  at: string,
): Promise<ReadMarkerMove> {
  try {
    await transactWrite({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: tableName,
            Key: messageKey(conversationId, messageId),
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: memberKey(conversationId, userId),
            UpdateExpression: 'SET lastReadMessageId = :id, lastReadAt = :at, #change = :read',
            ConditionExpression:
              'attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :id)',
            ExpressionAttributeNames: { '#change': LAST_CHANGE },
            ExpressionAttributeValues: { ':id': messageId, ':at': at, ':read': MemberChange.read },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    });
    return { outcome: 'moved' };
  } catch (error) {
    const codes = cancellationCodes(error);
    if (!codes) throw error;
    const membership = cancelledItem(error, 1);
    // A missing message is checked first: the marker may also be past it, but that is no reason to accept it.
    // The membership passed its condition ('None'), or failed it while existing (its old image came back).
    if (codes[0] === 'ConditionalCheckFailed') {
      return { outcome: 'no-message', isMember: codes[1] === 'None' || membership !== undefined };
    }
    if (codes[1] === 'ConditionalCheckFailed') {
      if (!membership) return { outcome: 'not-member' };
      return {
        outcome: 'not-forward',
        marker: {
          lastReadMessageId: (membership.lastReadMessageId as string | undefined) ?? null,
          lastReadAt: (membership.lastReadAt as string | undefined) ?? null,
        },
      };
    }
    throw error;
  }
}

/** `tryMoveReadMarker`'s outcome alone. */
export const moveReadMarker = async (...args: Parameters<typeof tryMoveReadMarker>) =>
  (await tryMoveReadMarker(...args)).outcome;
