/**
 * Data access for WebSocket connections and the typing rate limit. Knows DynamoDB; knows nothing of API
 * Gateway. A connection is two items: one in its user's partition (so delivering to a user is one Query) and
 * one under its own id (so $disconnect and client actions, which know only the id, find the user).
 */
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { dynamo, isConditionalCheckFailed, tableName, transactWrite } from './client';
import { CONNECTION_PREFIX, connectionKey, connectionOwnerKey, typingKey } from './keys';
import { connectedHere } from './origin';

/** API Gateway closes a connection after 2 hours at most; the items outlive that by a margin. */
export const CONNECTION_TTL_SECONDS = 3 * 3600;

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** `sessionId`: the session of the access token it connected with (its `sid`), so ending it closes this. */
export async function saveConnection(
  connectionId: string,
  userId: string,
  connectedAt: Date,
  sessionId?: string,
): Promise<void> {
  const expiresAt = epochSeconds(connectedAt) + CONNECTION_TTL_SECONDS;
  const attributes = {
    connectionId,
    userId,
    ...(sessionId ? { sessionId } : {}),
    connectedAt: connectedAt.toISOString(),
    expiresAt,
    // The region whose WebSocket API holds it: only that region's stream consumer posts to it.
    ...(config.region ? { region: config.region } : {}),
  };
  await transactWrite({
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: { ...connectionKey(userId, connectionId), type: 'Connection', ...attributes },
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: { ...connectionOwnerKey(connectionId), type: 'ConnectionOwner', ...attributes },
        },
      },
    ],
  });
}

/** The user of a live connection; undefined when it is unknown or past its lifetime (TTL deletes lazily). */
export async function getConnectionOwner(
  connectionId: string,
  now = new Date(),
): Promise<string | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: tableName,
      Key: connectionOwnerKey(connectionId),
      ProjectionExpression: 'userId, expiresAt',
    }),
  );
  if (!Item || (Item.expiresAt as number) <= epochSeconds(now)) return undefined;
  return Item.userId as string;
}

/**
 * The ids of a user's live connections held by this region's WebSocket API (one Query on the user's
 * partition; never a Scan). Other regions' connections are theirs to post to (docs/global.md).
 */
export async function listConnectionIds(userId: string, now = new Date()): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': connectionKey(userId, '').PK, ':prefix': CONNECTION_PREFIX },
        ProjectionExpression: 'connectionId, expiresAt, #region',
        ExpressionAttributeNames: { '#region': 'region' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if ((item.expiresAt as number) > epochSeconds(now) && connectedHere(item))
        ids.push(item.connectionId as string);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}

/** A user's live connections held by this region's WebSocket API, with the session each belongs to. */
export async function listConnections(
  userId: string,
  now = new Date(),
): Promise<{ connectionId: string; sessionId: string | undefined }[]> {
  const connections: { connectionId: string; sessionId: string | undefined }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': connectionKey(userId, '').PK, ':prefix': CONNECTION_PREFIX },
        ProjectionExpression: 'connectionId, sessionId, expiresAt, #region',
        ExpressionAttributeNames: { '#region': 'region' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if ((item.expiresAt as number) > epochSeconds(now) && connectedHere(item)) {
        connections.push({
          connectionId: item.connectionId as string,
          sessionId: item.sessionId as string | undefined,
        });
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return connections;
}

/** Forgets a connection of a known user (both items; deleting what is gone already is fine). */
export async function deleteConnection(userId: string, connectionId: string): Promise<void> {
  await Promise.all([
    dynamo.send(new DeleteCommand({ TableName: tableName, Key: connectionKey(userId, connectionId) })),
    dynamo.send(new DeleteCommand({ TableName: tableName, Key: connectionOwnerKey(connectionId) })),
  ]);
}

/** Forgets a connection known only by its id ($disconnect); returns its user, if it was known. */
export async function deleteConnectionById(connectionId: string): Promise<string | undefined> {
  const { Attributes } = await dynamo.send(
    new DeleteCommand({
      TableName: tableName,
      Key: connectionOwnerKey(connectionId),
      ReturnValues: 'ALL_OLD',
    }),
  );
  const userId = Attributes?.userId as string | undefined;
  if (userId) {
    await dynamo.send(new DeleteCommand({ TableName: tableName, Key: connectionKey(userId, connectionId) }));
  }
  return userId;
}

/**
 * Claims the right to relay a typing indicator: true at most once per `intervalMs` for a user in a
 * conversation, across every function instance (a conditional write on one small item that expires).
 */
export async function claimTypingSlot(
  conversationId: string,
  userId: string,
  intervalMs: number,
  now = new Date(),
): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: typingKey(conversationId, userId),
        UpdateExpression: 'SET relayedAt = :now, expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(relayedAt) OR relayedAt <= :earliest',
        ExpressionAttributeValues: {
          ':now': now.getTime(),
          ':earliest': now.getTime() - intervalMs,
          ':expires': epochSeconds(now) + 3600,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
