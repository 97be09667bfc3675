/**
 * Data access for blocks. A block is two small items written together: `USER#<blocker>` / `BLOCK#<blocked>`
 * (the blocker's list; the key a transaction checks) and `USER#<blocked>` / `BLOCKEDBY#<blocker>` (who blocked
 * an author, for the stream consumer). When the pair has a direct conversation, the same transaction stamps
 * the blocker's id in `blockedBy` (a string set) on both memberships: the send transaction already updates the
 * sender's membership, so its condition refuses a blocked chat with no extra item and no extra round trip.
 */
import { QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { LAST_CHANGE, MemberChange } from './changes';
import { cancellationCodes, dynamo, tableName, transactWrite } from './client';
import {
  BLOCK_PREFIX,
  BLOCKED_BY_PREFIX,
  blockedByKey,
  blockKey,
  conversationKey,
  memberKey,
  userKey,
} from './keys';
import { stampClause } from './origin';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The membership attribute naming who blocked whom in a direct chat (set of blocker ids; absent: none). */
export const BLOCKED_BY = 'blockedBy';

export interface BlockRecord {
  userId: string;
  blockedAt: string;
}

/**
 * The direct chat's side of a (un)block: both memberships updated when the chat exists, or a check that it
 * does not (so a chat started at the same moment is not missed: the transaction fails and is tried the other way).
 */
function directChatItems(
  directId: string,
  pair: readonly [string, string],
  blockerId: string,
  action: 'ADD' | 'DELETE',
  exists: boolean,
): TransactItem[] {
  if (!exists) {
    return [
      {
        ConditionCheck: {
          TableName: tableName,
          Key: conversationKey(directId),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ];
  }
  const stamp = stampClause();
  return pair.map((userId) => ({
    Update: {
      TableName: tableName,
      Key: memberKey(directId, userId),
      UpdateExpression: `SET #change = :blocked${stamp.set} ${action} #blockedBy :blocker`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#blockedBy': BLOCKED_BY, '#change': LAST_CHANGE },
      ExpressionAttributeValues: {
        ':blocker': new Set([blockerId]),
        ':blocked': MemberChange.blocked,
        ...stamp.values,
      },
    },
  }));
}

/**
 * Runs a (un)block transaction, first as if the pair's direct chat exists (the usual case: people block who
 * wrote to them), then the other way when that guess was wrong. Returns the cancellation codes of a failure
 * that is not about the chat (e.g. the blocked user does not exist), else undefined.
 */
async function withDirectChat(
  items: TransactItem[],
  chat: (exists: boolean) => TransactItem[],
): Promise<string[] | undefined> {
  let exists = true;
  for (let attempt = 0; ; attempt++) {
    try {
      await transactWrite({ TransactItems: [...items, ...chat(exists)] });
      return undefined;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const chatFailed = codes.slice(items.length).includes('ConditionalCheckFailed');
      if (!chatFailed || attempt >= 3) return codes;
      exists = !exists;
    }
  }
}

/**
 * Blocks `blockedId` for `blockerId`. Idempotent: blocking again keeps the first `blockedAt`. Returns false when
 * no such user exists (nothing written).
 */
export async function putBlock(
  blockerId: string,
  blockedId: string,
  directId: string,
  at: string,
): Promise<boolean> {
  const upsert = (key: { PK: string; SK: string }, type: string): TransactItem => ({
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression:
        'SET #type = :type, blockerId = :blocker, blockedId = :blocked, blockedAt = if_not_exists(blockedAt, :at)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': type, ':blocker': blockerId, ':blocked': blockedId, ':at': at },
    },
  });
  const codes = await withDirectChat(
    [
      {
        ConditionCheck: {
          TableName: tableName,
          Key: userKey(blockedId),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      upsert(blockKey(blockerId, blockedId), 'Block'),
      upsert(blockedByKey(blockedId, blockerId), 'BlockedBy'),
    ],
    (exists) => directChatItems(directId, [blockerId, blockedId], blockerId, 'ADD', exists),
  );
  if (!codes) return true;
  if (codes[0] === 'ConditionalCheckFailed') return false;
  throw Object.assign(new Error('the block could not be written'), { name: 'BlockNotWritten' });
}

/** Lifts a block (nothing to lift is fine). */
export async function deleteBlock(blockerId: string, blockedId: string, directId: string): Promise<void> {
  const items: TransactItem[] = [
    { Delete: { TableName: tableName, Key: blockKey(blockerId, blockedId) } },
    { Delete: { TableName: tableName, Key: blockedByKey(blockedId, blockerId) } },
  ];
  const codes = await withDirectChat(items, (exists) =>
    directChatItems(directId, [blockerId, blockedId], blockerId, 'DELETE', exists),
  );
  // A chat that is neither whole nor absent (a membership gone with a deleted account): nothing is left to
  // stamp, and the block's own items still go.
  if (codes) await transactWrite({ TransactItems: items });
}

/** A page of the users `blockerId` blocked, in user id order. */
export async function queryBlocks(
  blockerId: string,
  limit: number,
  afterUserId?: string,
): Promise<{ blocks: BlockRecord[]; hasMore: boolean }> {
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': userKey(blockerId).PK, ':prefix': BLOCK_PREFIX },
      ProjectionExpression: 'blockedId, blockedAt',
      Limit: limit + 1,
      ...(afterUserId ? { ExclusiveStartKey: blockKey(blockerId, afterUserId) } : {}),
    }),
  );
  const items = response.Items ?? [];
  return {
    blocks: items
      .slice(0, limit)
      .map((item) => ({ userId: item.blockedId as string, blockedAt: item.blockedAt as string })),
    hasMore: items.length > limit,
  };
}

/**
 * Everyone who blocked `userId` (ids only). One Query; a user blocked by many people pays for it on their own
 * messages' fan-out, nobody else's (about 60 bytes a blocker: 1 MB, a page, holds ~16,000).
 */
export async function queryBlockers(userId: string): Promise<Set<string>> {
  const blockers = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': userKey(userId).PK, ':prefix': BLOCKED_BY_PREFIX },
        ProjectionExpression: 'SK',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) blockers.add(String(item.SK).slice(BLOCKED_BY_PREFIX.length));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return blockers;
}

/** Who `userId` blocked (ids only), for leaving their messages out of an unread recount. */
export async function queryBlockedIds(userId: string): Promise<Set<string>> {
  const blocked = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': userKey(userId).PK, ':prefix': BLOCK_PREFIX },
        ProjectionExpression: 'SK',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) blocked.add(String(item.SK).slice(BLOCK_PREFIX.length));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return blocked;
}
