/**
 * Data access for inbox entries: one item per member and conversation (`CONV#<c>` / `INBOX#<u>`), in the GSI1
 * index that lists a user's inbox, newest activity first. Knows DynamoDB; knows nothing of HTTP.
 *
 * The stream consumer keeps them (projections/inbox.ts): position, unread count, and the marks that make its
 * updates idempotent. `INBOX#` is matched by no stream filter, so these updates, one per member per message,
 * never come back to the consumer.
 */
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamo, isConditionalCheckFailed, tableName } from './client';
import { inboxIndexKey, inboxKey } from './keys';

export interface InboxRecord {
  conversationId: string;
  userId: string;
  /** The ULID that places the entry in the inbox: the newest message's id, or when the member joined. */
  activityId: string;
  unreadCount: number;
  /** Of those, the messages that mention the member (their `mentionedUserIds`): counted the same way. */
  unreadMentionCount: number;
  /** The member's read marker, as far as the consumer applied it (or a send set it). */
  readUpTo: string | null;
  /** The newest message the consumer applied. */
  latestMessageId: string | null;
  /** The stream position (zero-padded sequence number) of the last change the consumer applied. */
  appliedUpTo: string | null;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function toInbox(item: Record<string, unknown>): InboxRecord {
  return {
    conversationId: item.conversationId as string,
    userId: item.userId as string,
    activityId: String(item.GSI1SK ?? '').slice('ACT#'.length),
    unreadCount: Number(item.unreadCount ?? 0),
    unreadMentionCount: Number(item.unreadMentionCount ?? 0),
    readUpTo: (item.readUpTo as string | undefined) ?? null,
    latestMessageId: (item.latestMessageId as string | undefined) ?? null,
    appliedUpTo: (item.appliedUpTo as string | undefined) ?? null,
  };
}

export const inboxItem = (record: InboxRecord) => ({
  ...inboxKey(record.conversationId, record.userId),
  ...inboxIndexKey(record.userId, record.activityId),
  type: 'InboxEntry',
  conversationId: record.conversationId,
  userId: record.userId,
  unreadCount: record.unreadCount,
  unreadMentionCount: record.unreadMentionCount,
  ...(record.readUpTo ? { readUpTo: record.readUpTo } : {}),
  ...(record.latestMessageId ? { latestMessageId: record.latestMessageId } : {}),
  ...(record.appliedUpTo ? { appliedUpTo: record.appliedUpTo } : {}),
});

/**
 * Writes the inbox entries of new members (a conversation created, members added), 25 per request in
 * parallel. The stream consumer creates any that are missing, so this is for reading one's own writes.
 */
export async function putInboxEntries(records: readonly InboxRecord[]): Promise<void> {
  const chunks: InboxRecord[][] = [];
  for (let i = 0; i < records.length; i += 25) chunks.push(records.slice(i, i + 25));
  await Promise.all(
    chunks.map(async (chunk) => {
      let requests: NonNullable<BatchWriteCommandOutput['UnprocessedItems']>[string] | undefined = chunk.map(
        (record) => ({ PutRequest: { Item: inboxItem(record) } }),
      );
      for (let attempt = 0; requests?.length && attempt < 5; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
        const response: BatchWriteCommandOutput = await dynamo.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = response.UnprocessedItems?.[tableName];
      }
      if (requests?.length) {
        throw Object.assign(new Error('BatchWriteItem left items unprocessed'), {
          name: 'ThrottlingException',
        });
      }
    }),
  );
}

export async function getInboxEntry(conversationId: string, userId: string): Promise<InboxRecord | null> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: inboxKey(conversationId, userId), ConsistentRead: true }),
  );
  return Item ? toInbox(Item) : null;
}

export const deleteInboxEntryItem = (conversationId: string, userId: string): TransactItem => ({
  Delete: { TableName: tableName, Key: inboxKey(conversationId, userId) },
});

export async function deleteInboxEntry(conversationId: string, userId: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: tableName, Key: inboxKey(conversationId, userId) }));
}

/** What a refused conditional update found, when it was refused. */
export type InboxWriteOutcome = { applied: true } | { applied: false; current: InboxRecord | null };

function refused(error: unknown): InboxWriteOutcome {
  if (!isConditionalCheckFailed(error)) throw error;
  // The document client leaves the item of a refused condition in DynamoDB's attribute-value form.
  const item = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
  return { applied: false, current: item ? toInbox(unmarshall(item)) : null };
}

const identity = (conversationId: string, userId: string) => ({
  ':gsiPk': inboxIndexKey(userId, '').GSI1PK,
  ':conversationId': conversationId,
  ':userId': userId,
  ':type': 'InboxEntry',
});
const IDENTITY_SET = 'GSI1PK = :gsiPk, conversationId = :conversationId, userId = :userId, #type = :type';

/**
 * The common case of a batch of new messages (and deletions) for one member, as one UpdateItem with the
 * unread count as a delta: valid when the entry has applied nothing at or after `assume.appliedBefore`,
 * the member's marker is before every message of others counted (`assume.readBefore`), the entry is not
 * ahead of `activityId`, and (for a negative delta) the count can take it. When it refuses, it returns the
 * entry as it is, and the caller computes the exact update.
 */
export async function advanceInboxEntry(
  conversationId: string,
  userId: string,
  change: {
    activityId: string;
    latestMessageId: string;
    appliedUpTo: string;
    unreadDelta: number;
    mentionDelta: number;
    assume: { appliedBefore: string; readBefore?: string };
  },
): Promise<InboxWriteOutcome> {
  const conditions = [
    '(attribute_not_exists(appliedUpTo) OR appliedUpTo < :appliedBefore)',
    '(attribute_not_exists(GSI1SK) OR GSI1SK <= :activity)',
    '(attribute_not_exists(latestMessageId) OR latestMessageId <= :latest)',
    ...(change.assume.readBefore ? ['(attribute_not_exists(readUpTo) OR readUpTo < :readBefore)'] : []),
    ...(change.unreadDelta < 0 ? ['unreadCount >= :decrease'] : []),
    ...(change.mentionDelta < 0 ? ['unreadMentionCount >= :mentionDecrease'] : []),
  ];
  const mentionAdd = change.mentionDelta !== 0 ? ', unreadMentionCount :mentionDelta' : '';
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: inboxKey(conversationId, userId),
        UpdateExpression: `SET ${IDENTITY_SET}, GSI1SK = :activity, latestMessageId = :latest, appliedUpTo = :applied ADD unreadCount :delta${mentionAdd}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ...identity(conversationId, userId),
          ':activity': inboxIndexKey(userId, change.activityId).GSI1SK,
          ':latest': change.latestMessageId,
          ':applied': change.appliedUpTo,
          ':delta': change.unreadDelta,
          ':appliedBefore': change.assume.appliedBefore,
          ...(change.assume.readBefore ? { ':readBefore': change.assume.readBefore } : {}),
          ...(change.unreadDelta < 0 ? { ':decrease': -change.unreadDelta } : {}),
          ...(change.mentionDelta !== 0 ? { ':mentionDelta': change.mentionDelta } : {}),
          ...(change.mentionDelta < 0 ? { ':mentionDecrease': -change.mentionDelta } : {}),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { applied: true };
  } catch (error) {
    return refused(error);
  }
}

const FIELDS = ['unreadCount', 'unreadMentionCount', 'readUpTo', 'latestMessageId', 'appliedUpTo'] as const;
/** Counters: 0 is also an absent attribute (entries written before a counter existed). */
const COUNTERS: ReadonlySet<string> = new Set(['unreadCount', 'unreadMentionCount']);

/**
 * Writes `next` as the whole entry, provided the entry is still exactly `expected` (null: absent): the exact
 * path, after a read or a refused advance. Returns what it found when something changed meanwhile (a send
 * of the member moves their marker; another delivery of the same records).
 */
export async function replaceInboxEntry(
  next: InboxRecord,
  expected: InboxRecord | null,
): Promise<InboxWriteOutcome> {
  const values: Record<string, unknown> = {
    ...identity(next.conversationId, next.userId),
    ':activity': inboxIndexKey(next.userId, next.activityId).GSI1SK,
  };
  const sets = [IDENTITY_SET, 'GSI1SK = :activity'];
  const removes: string[] = [];
  for (const field of FIELDS) {
    const value = next[field];
    if (value === null) removes.push(field);
    else {
      sets.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  let condition = 'attribute_not_exists(PK)';
  if (expected) {
    const parts = ['attribute_exists(PK)', 'GSI1SK = :expectedActivity'];
    values[':expectedActivity'] = inboxIndexKey(next.userId, expected.activityId).GSI1SK;
    for (const field of FIELDS) {
      const value = expected[field];
      if (value === null || (COUNTERS.has(field) && value === 0)) {
        parts.push(
          COUNTERS.has(field)
            ? `(attribute_not_exists(${field}) OR ${field} = :zero)`
            : `attribute_not_exists(${field})`,
        );
        if (COUNTERS.has(field)) values[':zero'] = 0;
      } else {
        parts.push(`${field} = :expected_${field}`);
        values[`:expected_${field}`] = value;
      }
    }
    condition = parts.join(' AND ');
  }
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: inboxKey(next.conversationId, next.userId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { applied: true };
  } catch (error) {
    return refused(error);
  }
}

/** One page of the user's inbox: entries, most recent activity first. */
export async function queryInbox(userId: string, limit: number, startKey?: Record<string, unknown>) {
  const page = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': inboxIndexKey(userId, '').GSI1PK },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { entries: (page.Items ?? []).map(toInbox), lastKey: page.LastEvaluatedKey };
}
