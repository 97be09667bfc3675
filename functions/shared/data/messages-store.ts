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
  threadIndexKey,
} from './keys';
import { originStamp, stampClause } from './origin';

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
  /** Deleted by the service's administrators (moderation), not by its sender or a group admin. */
  removedByModeration?: boolean;
  clientMessageId?: string;
  /** A reply: its thread's root (never itself a reply: threads are one level deep). */
  parentMessageId?: string;
  /** A thread root: replies sent to it so far, and when the latest was (kept by the send transaction). */
  replyCount?: number;
  lastReplyAt?: string;
  /** Reactions: how many users reacted with each emoji (kept by data/reactions-store.ts); absent when none. */
  reactions?: Record<string, number>;
  /** The members the text mentions (domain/mentions.ts), in order of first mention; absent when none. */
  mentionedUserIds?: string[];
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
    ...(item.removedByModeration === true ? { removedByModeration: true } : {}),
    ...(item.clientMessageId ? { clientMessageId: item.clientMessageId as string } : {}),
    ...(item.parentMessageId ? { parentMessageId: item.parentMessageId as string } : {}),
    ...(typeof item.replyCount === 'number' ? { replyCount: item.replyCount } : {}),
    ...(item.lastReplyAt ? { lastReplyAt: item.lastReplyAt as string } : {}),
    ...(item.reactions ? { reactions: item.reactions as Record<string, number> } : {}),
    ...(Array.isArray(item.mentionedUserIds) && item.mentionedUserIds.length
      ? { mentionedUserIds: item.mentionedUserIds as string[] }
      : {}),
  };
}

/** The message's attributes as stored (in its own item, and in its idempotency record). */
const storedMessage = (message: MessageRecord) => ({ ...message, content: contentToItem(message.content) });

const messageItem = (message: MessageRecord) => ({
  ...messageKey(message.conversationId, message.id),
  ...(message.parentMessageId
    ? threadIndexKey(message.conversationId, message.parentMessageId, message.id)
    : {}),
  type: 'Message',
  ...storedMessage(message),
  ...originStamp(),
});

export type SendOutcome =
  | { outcome: 'sent' }
  /** A reply whose thread's root (or the message it answers) was deleted, or is not a root, meanwhile. */
  | { outcome: 'parent-gone' }
  | { outcome: 'duplicate'; original: MessageRecord }
  | { outcome: 'not-member' }
  /** A direct chat with a block between its two members (`byMe`: the sender is the one who blocked). */
  | { outcome: 'blocked'; byMe: boolean };

/**
 * A direct chat's memberships carry `blockedBy` (the ids of whichever of the two blocked the other) while a
 * block stands (data/blocks-store.ts): the send's own membership condition refuses it, no item is added.
 */
const NOT_BLOCKED = 'attribute_not_exists(blockedBy)';

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
function sendItems(
  message: MessageRecord,
  moveMarker: boolean,
  moveInbox: boolean,
  thread?: ThreadTarget,
  moveLastReply = true,
): TransactItem[] {
  const { conversationId, senderId, clientMessageId } = message;
  const stamp = stampClause();
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
            UpdateExpression: `SET lastReadMessageId = :id, lastReadAt = :at, #change = :sent${stamp.set}`,
            ConditionExpression: `attribute_exists(PK) AND ${NOT_BLOCKED} AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :id)`,
            ExpressionAttributeNames: { '#change': LAST_CHANGE },
            ExpressionAttributeValues: {
              ':id': message.id,
              ':at': message.createdAt,
              ':sent': MemberChange.sent,
              ...stamp.values,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        }
      : {
          ConditionCheck: {
            TableName: tableName,
            Key: memberKey(conversationId, senderId),
            ConditionExpression: `attribute_exists(PK) AND ${NOT_BLOCKED}`,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
    ...(moveInbox
      ? [
          {
            Update: {
              TableName: tableName,
              Key: inboxKey(conversationId, senderId),
              // The entry exists from the join on (written with the membership, or by the stream consumer); a
              // missing one fails the condition and the send goes through without the move (see above).
              UpdateExpression:
                'SET GSI1SK = :activity, readUpTo = :id, unreadCount = :zero, unreadMentionCount = :zero',
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
    ...threadItems(message, thread, moveLastReply),
  ];
}

/**
 * A reply also counts itself on its thread's root (ADD: concurrent replies never lose a count), on condition
 * that the root is still there, not deleted and a root; when it answers a reply, that one must still be there
 * too. Two items at most, whatever the size of the thread or the group. `lastReplyAt` only moves forward:
 * concurrent replies may commit out of order, and one whose time is already passed is retried without it
 * (`moveLastReply: false`), still counted.
 */
function threadItems(
  message: MessageRecord,
  thread: ThreadTarget | undefined,
  moveLastReply: boolean,
): TransactItem[] {
  const rootId = message.parentMessageId;
  if (!rootId || !thread) return [];
  const isLiveRoot =
    'attribute_exists(PK) AND attribute_not_exists(deletedAt) AND attribute_not_exists(parentMessageId)';
  return [
    {
      Update: {
        TableName: tableName,
        Key: messageKey(message.conversationId, rootId),
        ...(moveLastReply
          ? {
              UpdateExpression: 'ADD replyCount :one SET lastReplyAt = :at',
              ConditionExpression: `${isLiveRoot} AND (attribute_not_exists(lastReplyAt) OR lastReplyAt < :at)`,
              ExpressionAttributeValues: { ':one': 1, ':at': message.createdAt },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }
          : {
              UpdateExpression: 'ADD replyCount :one',
              ConditionExpression: isLiveRoot,
              ExpressionAttributeValues: { ':one': 1 },
            }),
      },
    },
    ...(thread.answeredId !== rootId
      ? [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: messageKey(message.conversationId, thread.answeredId),
              ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
            },
          } satisfies TransactItem,
        ]
      : []),
  ];
}

/** A reply's thread: the message it answers as the sender named it (the root, or a reply in the thread). */
export interface ThreadTarget {
  answeredId: string;
}

/** Attempts of a reply's transaction when it loses races to other transactions (about 2.5 s of backoff). */
const REPLY_ATTEMPTS = 8;

/** Stores a message with what it changes for its sender; see sendItems. */
export async function sendMessage(message: MessageRecord, thread?: ThreadTarget): Promise<SendOutcome> {
  const { conversationId, senderId, clientMessageId } = message;
  let [moveMarker, moveInbox, moveLastReply] = [true, true, true];
  // Every condition is evaluated, so one retry drops whatever was already ahead; a third try covers a race.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Replies to one thread all update its root: racing replies conflict more, so they get more retries.
      await transactWrite(
        { TransactItems: sendItems(message, moveMarker, moveInbox, thread, moveLastReply) },
        thread ? REPLY_ATTEMPTS : undefined,
      );
      return { outcome: 'sent' };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const failed = (index: number) => codes[index] === 'ConditionalCheckFailed';
      const reasons = (error as { CancellationReasons?: { Item?: unknown }[] }).CancellationReasons;
      const blockedBy = failed(1) ? cancelledItem(error, 1)?.blockedBy : undefined;
      if (blockedBy instanceof Set) return { outcome: 'blocked', byMe: blockedBy.has(senderId) };
      // The membership failing with no item is no membership; with one, a marker already ahead.
      if (failed(1) && (!moveMarker || !reasons?.[1]?.Item)) return { outcome: 'not-member' };
      if (clientMessageId && failed(moveInbox ? 3 : 2)) {
        const original = await getByClientMessageId(conversationId, senderId, clientMessageId);
        if (original) return { outcome: 'duplicate', original };
      }
      const threadAt = 2 + (moveInbox ? 1 : 0) + (clientMessageId ? 1 : 0);
      // The root failing while it is a live root (its old image says so) is only a later reply's time ahead.
      const root = thread && failed(threadAt) ? cancelledItem(error, threadAt) : undefined;
      const lastReplyAhead = moveLastReply && root && !root.deletedAt && !root.parentMessageId;
      if (thread && ((failed(threadAt) && !lastReplyAhead) || failed(threadAt + 1))) {
        return { outcome: 'parent-gone' };
      }
      const inboxAhead = moveInbox && failed(2);
      if (!failed(1) && !inboxAhead && !lastReplyAhead) throw error;
      moveMarker &&= !failed(1);
      moveInbox &&= !inboxAhead;
      moveLastReply &&= !lastReplyAhead;
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

/** How many Query calls a history page without replies makes at most, however many replies it skips. */
const HISTORY_QUERIES_WITHOUT_REPLIES = 4;

/**
 * A page of messages: newest first, strictly older than `beforeId`; or, with `afterId`, oldest first and
 * strictly newer (catch-up after a reconnect). The bound is a start key, so it never appears in the page.
 *
 * Without replies (`includeReplies: false`) the replies are filtered out: they are read (and paid for) but not
 * returned, so filling a page may take more than one Query; at most HISTORY_QUERIES_WITHOUT_REPLIES, after which
 * the page is returned short with `lastId` (the last message looked at) to continue from.
 */
export async function queryMessages(
  conversationId: string,
  options: { limit: number; beforeId?: string; afterId?: string; includeReplies?: boolean },
): Promise<{ messages: MessageRecord[]; hasMore: boolean; lastId?: string }> {
  const pk = conversationKey(conversationId).PK;
  const includeReplies = options.includeReplies ?? true;
  let startKey: Record<string, unknown> | undefined =
    (options.afterId ?? options.beforeId)
      ? messageKey(conversationId, (options.afterId ?? options.beforeId) as string)
      : undefined;
  const items: Record<string, unknown>[] = [];
  for (let call = 0; call < (includeReplies ? 1 : HISTORY_QUERIES_WITHOUT_REPLIES); call++) {
    const response = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ...(includeReplies ? {} : { FilterExpression: 'attribute_not_exists(parentMessageId)' }),
        ExpressionAttributeValues: { ':pk': pk, ':prefix': MESSAGE_PREFIX },
        ScanIndexForward: options.afterId !== undefined,
        // One more than asked for tells whether another page exists, without returning an empty last page.
        Limit: options.limit + 1 - items.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(response.Items ?? []));
    startKey = response.LastEvaluatedKey;
    if (items.length > options.limit || !startKey) break;
  }
  if (items.length > options.limit || !startKey) {
    return { messages: items.slice(0, options.limit).map(toMessage), hasMore: items.length > options.limit };
  }
  // Out of Query calls with replies still in the way: a short page, continued after what was looked at.
  return {
    messages: items.map(toMessage),
    hasMore: true,
    lastId: (startKey.SK as string).slice(MESSAGE_PREFIX.length),
  };
}

/**
 * A page of a thread's replies, oldest first (threads read top down), strictly after `afterId`: one Query of
 * GSI1 (eventually consistent, like every index read: a reply shows there a moment after its send returns).
 */
export async function queryReplies(
  conversationId: string,
  rootId: string,
  options: { limit: number; afterId?: string },
): Promise<{ replies: MessageRecord[]; hasMore: boolean }> {
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :thread',
      ExpressionAttributeValues: { ':thread': threadIndexKey(conversationId, rootId, '').GSI1PK },
      ScanIndexForward: true,
      Limit: options.limit + 1,
      ...(options.afterId
        ? {
            ExclusiveStartKey: {
              ...messageKey(conversationId, options.afterId),
              ...threadIndexKey(conversationId, rootId, options.afterId),
            },
          }
        : {}),
    }),
  );
  const items = response.Items ?? [];
  return { replies: items.slice(0, options.limit).map(toMessage), hasMore: items.length > options.limit };
}

/** How many messages one unread count reads at most: the bound on the work a count may cost. */
const UNREAD_COUNT_PAGE = 100;

/** DynamoDB's IN takes at most 100 operands. */
const MAX_EXCLUDED_SENDERS = 99;

/**
 * Messages after `afterId` up to `upToId` (inclusive) from others than `userId`, not deleted, and how many of
 * them mention `userId`: one Query page of at most UNREAD_COUNT_PAGE messages, whatever the conversation holds
 * (a member who sends and deletes thousands of messages cannot make it read more). When more than a page
 * follows the marker, it counts what is in the first page. Only two small attributes come back (the read costs
 * what a COUNT does: capacity is charged on the items evaluated).
 */
export async function countUnreadBetween(
  conversationId: string,
  userId: string,
  afterId: string | null,
  upToId: string,
  blocked: readonly string[] = [],
): Promise<{ unread: number; mentions: number }> {
  // Messages of users the member blocked are not counted (their unread counts never include them); a filter
  // takes at most 100 values, and a list longer than that counts the rest (docs/data-model.md, "Blocks").
  const excluded = blocked.slice(0, MAX_EXCLUDED_SENDERS);
  const names = excluded.map((_, i) => `:b${i}`);
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      FilterExpression: `senderId <> :me AND attribute_not_exists(deletedAt)${
        names.length ? ` AND NOT (senderId IN (${names.join(', ')}))` : ''
      }`,
      // senderId: every message has one, so every counted message comes back (never an empty item).
      ProjectionExpression: 'senderId, mentionedUserIds',
      ExpressionAttributeValues: {
        ':pk': conversationKey(conversationId).PK,
        ':from': MESSAGE_PREFIX,
        ':to': messageKey(conversationId, upToId).SK,
        ':me': userId,
        ...Object.fromEntries(excluded.map((id, i) => [`:b${i}`, id])),
      },
      Limit: UNREAD_COUNT_PAGE,
      ...(afterId ? { ExclusiveStartKey: messageKey(conversationId, afterId) } : {}),
    }),
  );
  const items = response.Items ?? [];
  const mentions = items.filter(
    (item) => Array.isArray(item.mentionedUserIds) && item.mentionedUserIds.includes(userId),
  ).length;
  return { unread: items.length, mentions };
}

/**
 * Edits text, with the members it now mentions (none: the attribute is removed); conditional on the caller
 * being the sender, still a member, and the message not deleted.
 */
export async function editMessageText(
  message: MessageRecord,
  text: string,
  editedAt: string,
  mentionedUserIds: readonly string[] = [],
): Promise<'edited' | 'conflict'> {
  const stamp = stampClause();
  const mentions = mentionedUserIds.length > 0;
  try {
    await transactWrite({
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: messageKey(message.conversationId, message.id),
            UpdateExpression: `SET content = :content, editedAt = :at${stamp.set}${
              mentions ? ', mentionedUserIds = :mentioned' : ' REMOVE mentionedUserIds'
            }`,
            ConditionExpression: 'senderId = :sender AND attribute_not_exists(deletedAt)',
            ExpressionAttributeValues: {
              ':content': { type: 'text', text },
              ...(mentions ? { ':mentioned': [...mentionedUserIds] } : {}),
              ':at': editedAt,
              ':sender': message.senderId,
              ...stamp.values,
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
  const stamp = stampClause();
  try {
    await transactWrite({
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: messageKey(message.conversationId, message.id),
            // Who was mentioned goes with the text: a tombstone shows neither.
            UpdateExpression: `SET deletedAt = :at, deletedBy = :caller${stamp.set} REMOVE content, mentionedUserIds`,
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
            ExpressionAttributeValues: { ':at': deletedAt, ':caller': callerId, ...stamp.values },
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

/**
 * The tombstone an administrator leaves (moderation), for a transaction with its audit record: as the
 * sender's delete, plus `removedByModeration`, and without the membership check (administrators remove a
 * message anywhere). The stream turns it into the same `message.deleted` event for the members.
 */
export function moderationTombstoneItem(
  message: Pick<MessageRecord, 'conversationId' | 'id'>,
  adminId: string,
  deletedAt: string,
): NonNullable<Parameters<typeof transactWrite>[0]['TransactItems']>[number] {
  const stamp = stampClause();
  return {
    Update: {
      TableName: tableName,
      Key: messageKey(message.conversationId, message.id),
      UpdateExpression: `SET deletedAt = :at, deletedBy = :admin, removedByModeration = :true${stamp.set} REMOVE content`,
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
      ExpressionAttributeValues: { ':at': deletedAt, ':admin': adminId, ':true': true, ...stamp.values },
    },
  };
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
  const stamp = stampClause();
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
            UpdateExpression: `SET lastReadMessageId = :id, lastReadAt = :at, #change = :read${stamp.set}`,
            ConditionExpression:
              'attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :id)',
            ExpressionAttributeNames: { '#change': LAST_CHANGE },
            ExpressionAttributeValues: {
              ':id': messageId,
              ':at': at,
              ':read': MemberChange.read,
              ...stamp.values,
            },
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
