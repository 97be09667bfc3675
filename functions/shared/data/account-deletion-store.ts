/**
 * Data access for deleting an account: the one transaction that ends the account (profile gone, username held
 * by a tombstone, the deletion marker written), the marker that records the sweep's progress, and the sweep's
 * reads and writes in each conversation. Knows DynamoDB; knows nothing of HTTP.
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { NotFoundError } from '../errors';
import {
  cancellationCodes,
  dynamo,
  homeDynamo,
  isConditionalCheckFailed,
  tableName,
  transactWrite,
} from './client';
import {
  accountDeletionKey,
  clientMessagePrefix,
  conversationKey,
  dataExportKey,
  feedHeadKey,
  MESSAGE_PREFIX,
  messageKey,
  reactedKey,
  reactedPrefix,
  reactionKey,
  userKey,
  usernameKey,
} from './keys';
import { originStamp, stampClause } from './origin';

/** The conversation the sweep is in: it has left it once `left` is set; `cursor` is the last message read. */
export interface SweepPosition {
  conversationId: string;
  left?: boolean;
  cursor?: string;
}

export interface AccountDeletionRecord {
  userId: string;
  /** Who asked: the user themself, or the administrator who deleted the account. */
  by: string;
  requestedAt: string;
  status: 'sweeping' | 'done';
  /** Raised by every step; a step's write is conditional on the value it read, so a replayed step is a no-op. */
  step: number;
  current: SweepPosition | undefined;
  doneAt: string | undefined;
}

export function toAccountDeletion(item: Record<string, unknown>): AccountDeletionRecord {
  return {
    userId: item.userId as string,
    by: item.by as string,
    requestedAt: item.requestedAt as string,
    status: item.status === 'done' ? 'done' : 'sweeping',
    step: Number(item.step ?? 0),
    current: (item.current as SweepPosition | undefined) ?? undefined,
    doneAt: (item.doneAt as string | undefined) ?? undefined,
  };
}

/**
 * Ends the account in one transaction (home region, where username claims are decided): the profile is
 * deleted, the username claim becomes a tombstone without credentials that holds the name until `freeAt`, and
 * the deletion marker is written, whose stream record starts the sweep. Nothing is written if the profile is
 * already gone or the claim is no longer the user's (NotFound).
 */
export async function markAccountDeleted(
  user: { id: string; username: string },
  options: { by: string; at: string; freeAt: number },
  /** Written in the same transaction: an administrator's deletion carries its audit record. */
  alongside: NonNullable<TransactWriteCommandInput['TransactItems']> = [],
): Promise<void> {
  try {
    await transactWrite(
      {
        TransactItems: [
          {
            Delete: {
              TableName: tableName,
              Key: userKey(user.id),
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                ...usernameKey(user.username),
                type: 'UsernameTombstone',
                deletedAt: options.at,
                freeAt: options.freeAt,
                // TTL tidies the tombstone up; sign-up checks freeAt itself (TTL may lag for days).
                expiresAt: options.freeAt,
              },
              ConditionExpression: 'userId = :userId',
              ExpressionAttributeValues: { ':userId': user.id },
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                ...accountDeletionKey(user.id),
                type: 'AccountDeletion',
                userId: user.id,
                by: options.by,
                requestedAt: options.at,
                status: 'sweeping',
                step: 0,
                // The sweep runs in the home region's stream (data/origin.ts): the sessions it ends again and
                // the media bucket are there.
                ...originStamp(config.homeRegion ?? config.region),
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...alongside,
        ],
      },
      undefined,
      homeDynamo,
    );
  } catch (error) {
    if (cancellationCodes(error)?.includes('ConditionalCheckFailed')) {
      throw new NotFoundError('The user no longer exists.');
    }
    throw error;
  }
}

export async function getAccountDeletion(userId: string): Promise<AccountDeletionRecord | undefined> {
  const { Item } = await homeDynamo.send(
    new GetCommand({ TableName: tableName, Key: accountDeletionKey(userId), ConsistentRead: true }),
  );
  return Item ? toAccountDeletion(Item) : undefined;
}

/**
 * Records a step: the position reached (none: between conversations), or the end. Conditional on the step
 * read, so a stream record delivered twice (or an older record replayed) advances the sweep once; false when
 * another run got there first. The write is itself the stream record that runs the next step.
 */
export async function advanceAccountDeletion(
  userId: string,
  seenStep: number,
  next: { current?: SweepPosition; doneAt?: string; keepUntil?: number },
): Promise<boolean> {
  const sets = ['step = :next', 'writtenIn = :writtenIn'];
  const values: Record<string, unknown> = { ':next': seenStep + 1, ':seen': seenStep };
  const { writtenIn } = originStamp();
  if (writtenIn) values[':writtenIn'] = writtenIn;
  else sets.pop();
  if (next.current) {
    sets.push('#current = :current');
    values[':current'] = next.current;
  }
  if (next.doneAt) {
    sets.push('#status = :done', 'doneAt = :doneAt', 'expiresAt = :keepUntil');
    Object.assign(values, { ':done': 'done', ':doneAt': next.doneAt, ':keepUntil': next.keepUntil });
  }
  const names: Record<string, string> = { '#current': 'current' };
  if (next.doneAt) names['#status'] = 'status';
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: accountDeletionKey(userId),
        UpdateExpression: `SET ${sets.join(', ')}${next.current ? '' : ' REMOVE #current'}`,
        ConditionExpression: 'step = :seen',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** At most this many messages are read per step: bounded work per stream record. */
export const SWEEP_PAGE = 500;

/**
 * One page of a conversation's messages, keeping those the user sent and has not deleted. Reads every message
 * of the page (a sender is no key), so a step costs the page's size in RCU; `next` is where the next page
 * starts, none at the end.
 */
export async function ownMessagesPage(
  conversationId: string,
  userId: string,
  after: string | undefined,
): Promise<{ messageIds: string[]; next: string | undefined }> {
  const page = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :msg)',
      FilterExpression: 'senderId = :user AND attribute_not_exists(deletedAt)',
      ProjectionExpression: 'SK',
      ExpressionAttributeValues: {
        ':pk': conversationKey(conversationId).PK,
        ':msg': MESSAGE_PREFIX,
        ':user': userId,
      },
      ExclusiveStartKey: after ? messageKey(conversationId, after) : undefined,
      Limit: SWEEP_PAGE,
    }),
  );
  const lastSk = page.LastEvaluatedKey?.SK as string | undefined;
  return {
    messageIds: (page.Items ?? []).map((item) => String(item.SK).slice(MESSAGE_PREFIX.length)),
    next: lastSk?.slice(MESSAGE_PREFIX.length),
  };
}

/**
 * Replaces a deleted account's message by a tombstone, as its sender deleting it would (the stream then tells
 * the members, repairs the preview and the unread counts). Only the user's own, not yet deleted: repeating it
 * changes nothing.
 */
export async function anonymiseMessage(
  conversationId: string,
  messageId: string,
  userId: string,
  at: string,
): Promise<void> {
  const stamp = stampClause();
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messageKey(conversationId, messageId),
        UpdateExpression: `SET deletedAt = :at, deletedBy = :user${stamp.set} REMOVE content`,
        ConditionExpression: 'senderId = :user AND attribute_not_exists(deletedAt)',
        ExpressionAttributeValues: { ':at': at, ':user': userId, ...stamp.values },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/** A page of the user's own reactions in a conversation (`REACTED#<user>#…`); `next` when more follow. */
export async function ownReactions(
  conversationId: string,
  userId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ reactions: { messageId: string; emoji: string }[]; next: Record<string, unknown> | undefined }> {
  const page = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ProjectionExpression: 'messageId, emoji',
      ExpressionAttributeValues: {
        ':pk': conversationKey(conversationId).PK,
        ':prefix': reactedPrefix(userId),
      },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return {
    reactions: (page.Items ?? []).map((item) => ({
      messageId: item.messageId as string,
      emoji: item.emoji as string,
    })),
    next: page.LastEvaluatedKey,
  };
}

/**
 * Deletes a reaction's two items without touching the message: for a reaction on a deleted message (which
 * shows no reactions and takes no changes), whose items would otherwise keep the user's id.
 */
export async function deleteReactionItems(
  conversationId: string,
  messageId: string,
  emoji: string,
  userId: string,
): Promise<void> {
  await batchDelete([
    reactionKey(conversationId, messageId, emoji, userId),
    reactedKey(conversationId, userId, messageId, emoji),
  ]);
}

/**
 * Deletes the user's idempotency records in a conversation: each holds a copy of the message it answered
 * (content included), so it must go with the account.
 */
export async function deleteClientMessageRecords(conversationId: string, userId: string): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ProjectionExpression: 'PK, SK',
        ExpressionAttributeValues: {
          ':pk': conversationKey(conversationId).PK,
          ':prefix': clientMessagePrefix(userId),
        },
        ExclusiveStartKey: startKey,
      }),
    );
    await batchDelete((page.Items ?? []).map((item) => ({ PK: item.PK as string, SK: item.SK as string })));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** The user's change-feed head (its last position and open connections): the feed's entries expire by TTL. */
export async function deleteFeedHead(userId: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: tableName, Key: feedHeadKey(userId) }));
}

/** The user's data export item (the file itself is deleted with their other files). */
export async function deleteDataExportItem(userId: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: tableName, Key: dataExportKey(userId) }));
}

async function batchDelete(keys: { PK: string; SK: string }[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 5) throw new Error('BatchWriteItem left items unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { UnprocessedItems } = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
