/**
 * Data access for who owns a WebSocket connection, and the typing rate limit. Knows DynamoDB; knows nothing of
 * API Gateway. The owner item (`CONN#<id>`) is the one write of $connect and of $disconnect: $disconnect and
 * client actions know only the connection id, and the item's stream record registers the connection on its
 * user's feed head (feed-store.ts: where events are posted) off the request path.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, tableName } from './client';
import { CONNECTION_OWNER_SORT_KEY, connectionOwnerKey, typingKey } from './keys';
import { originStamp } from './origin';

/** API Gateway closes a connection after 2 hours at most; the owner item outlives that by a margin (TTL). */
export const CONNECTION_TTL_SECONDS = 3 * 3600;

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

export interface ConnectionOwner {
  userId: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** Epoch milliseconds: when the access token the connection was opened with expires. */
  tokenExpiresAt: number;
  sessionId?: string;
  /** Multi-region: the region whose WebSocket API holds the connection. */
  region?: string;
}

const toOwner = (item: Record<string, unknown>): ConnectionOwner => ({
  userId: item.userId as string,
  connectedAt: Number(item.connectedAt),
  tokenExpiresAt: Number(item.tokenExpiresAt),
  ...(typeof item.sessionId === 'string' ? { sessionId: item.sessionId } : {}),
  ...(typeof item.region === 'string' ? { region: item.region } : {}),
});

/** The owner of a connection as its stream record's image shows it (undefined: not an owner item). */
export const ownerFromImage = (item: Record<string, unknown> | undefined): ConnectionOwner | undefined =>
  item && typeof item.userId === 'string' && item.SK === CONNECTION_OWNER_SORT_KEY
    ? toOwner(item)
    : undefined;

export async function saveConnectionOwner(connectionId: string, owner: ConnectionOwner): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...connectionOwnerKey(connectionId),
        type: 'ConnectionOwner',
        connectionId,
        ...owner,
        ...originStamp(),
        expiresAt: Math.floor(owner.connectedAt / 1000) + CONNECTION_TTL_SECONDS,
      },
    }),
  );
}

/** The owner of a live connection; undefined when it is unknown or past its lifetime (TTL deletes lazily). */
export async function getConnectionOwner(
  connectionId: string,
  now = new Date(),
): Promise<ConnectionOwner | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: connectionOwnerKey(connectionId) }),
  );
  if (!Item || (Item.expiresAt as number) <= epochSeconds(now)) return undefined;
  return toOwner(Item);
}

/** Forgets the owner item of a connection ($disconnect); returns the owner, if it was known. */
export async function deleteConnectionOwner(connectionId: string): Promise<ConnectionOwner | undefined> {
  const { Attributes } = await dynamo.send(
    new DeleteCommand({
      TableName: tableName,
      Key: connectionOwnerKey(connectionId),
      ReturnValues: 'ALL_OLD',
    }),
  );
  return Attributes?.userId ? toOwner(Attributes) : undefined;
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
