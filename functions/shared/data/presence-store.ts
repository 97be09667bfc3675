/**
 * Data access for presence: who watches a user's presence (the other members of their direct conversations).
 * Knows DynamoDB; knows nothing of events. The presence state itself lives on the feed head (feed-store.ts).
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from './client';
import { conversationKey, inboxIndexKey, MEMBER_PREFIX } from './keys';

/** Direct conversations start with this (their ids derive from the pair; groups' are ULIDs). */
const DIRECT_PREFIX = 'dm_';
/** Inbox pages read per lookup: bounds the work for a user in very many conversations. */
const MAX_INBOX_PAGES = 5;
const INBOX_PAGE = 200;

/**
 * The other members of a user's direct conversations, most recently active first, at most `max`: one Query of
 * the user's inbox (GSI1, direct ones only, up to MAX_INBOX_PAGES pages) → one Query of members per direct
 * conversation (16 at once). Notes to self (the user alone) add nobody.
 */
export async function directContacts(userId: string, max: number): Promise<string[]> {
  const conversationIds: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < MAX_INBOX_PAGES && conversationIds.length < max; page++) {
    const response: QueryCommandOutput = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        FilterExpression: 'begins_with(conversationId, :direct)',
        ProjectionExpression: 'conversationId',
        ExpressionAttributeValues: { ':pk': inboxIndexKey(userId, '').GSI1PK, ':direct': DIRECT_PREFIX },
        ScanIndexForward: false,
        Limit: INBOX_PAGE,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of response.Items ?? []) conversationIds.push(item.conversationId as string);
    startKey = response.LastEvaluatedKey;
    if (!startKey) break;
  }
  const contacts = new Set<string>();
  const direct = conversationIds.slice(0, max);
  for (let i = 0; i < direct.length; i += 16) {
    await Promise.all(
      direct.slice(i, i + 16).map(async (conversationId) => {
        const { Items } = await dynamo.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :member)',
            ProjectionExpression: 'userId',
            ExpressionAttributeValues: {
              ':pk': conversationKey(conversationId).PK,
              ':member': MEMBER_PREFIX,
            },
          }),
        );
        for (const item of Items ?? []) if (item.userId !== userId) contacts.add(item.userId as string);
      }),
    );
  }
  return [...contacts];
}
