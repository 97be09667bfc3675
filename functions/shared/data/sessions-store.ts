/**
 * Data access for sessions and their refresh tokens. Knows DynamoDB; knows nothing of HTTP.
 *
 * A session (one login) is an item in its user's partition; each refresh token is an item keyed by its hash
 * that names its session. Every write here goes to the home region (docs/global.md, "Pinned to the home
 * region"): a refresh token must be single-use, which replicas accepting concurrent writes cannot guarantee.
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo, homeDynamo, isConditionalCheckFailed, tableName, transactWrite } from './client';
import { refreshTokenKey, SESSION_PREFIX, sessionKey, userKey } from './keys';

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  /** Epoch seconds: the absolute end (created + the session lifetime); also the TTL attribute. */
  expiresAt: number;
  /** Epoch seconds: the idle end (the current refresh token's expiry), moved on by each refresh. */
  idleExpiresAt: number;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  userId: string;
  sessionId: string;
  createdAt: string;
  /** Epoch seconds; also the TTL attribute. */
  expiresAt: number;
}

const inHomeRegion = (input: Parameters<typeof transactWrite>[0]) =>
  transactWrite(input, undefined, homeDynamo);

const refreshTokenItem = (record: RefreshTokenRecord) => ({
  ...refreshTokenKey(record.tokenHash),
  type: 'RefreshToken',
  userId: record.userId,
  sessionId: record.sessionId,
  createdAt: record.createdAt,
  expiresAt: record.expiresAt,
});

/** Starts a session with its first refresh token, in one transaction (one round trip). */
export async function createSession(session: SessionRecord, token: RefreshTokenRecord): Promise<void> {
  const { id, userAgent, ...rest } = session;
  await inHomeRegion({
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...sessionKey(session.userId, id),
            type: 'Session',
            sessionId: id,
            ...rest,
            ...(userAgent ? { userAgent } : {}),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: refreshTokenItem(token),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ],
  });
}

/**
 * Why a rotation did not happen. `reused`: the token was valid once and has already been rotated;
 * `disabled`: an administrator disabled the account (data/admin-store.ts).
 */
export type RotationFailure = 'invalid' | 'reused' | 'disabled';

interface CancellationReason {
  Code?: string;
  Item?: Record<string, unknown>;
}

/** An attribute of an item returned with a cancellation reason: raw AttributeValues (errors are not unmarshalled). */
function attribute(item: Record<string, unknown> | undefined, name: string): string | number | undefined {
  const value = item?.[name] as { S?: string; N?: string } | string | number | undefined;
  if (value === undefined || typeof value !== 'object') return value;
  return value.S ?? (value.N === undefined ? undefined : Number(value.N));
}

/**
 * Consumes the old token, stores the next one and marks the session used, in one transaction (one round
 * trip, no read before or after). The old token is marked `rotatedAt` rather than deleted, so a second use is told
 * apart from a token that never existed: that is `reused`, and the caller ends the session. The session must
 * still exist and be within its absolute lifetime.
 */
export async function rotateRefreshToken(
  oldHash: string,
  next: RefreshTokenRecord,
  now: Date,
): Promise<RotationFailure | undefined> {
  const nowEpoch = Math.floor(now.getTime() / 1000);
  try {
    await inHomeRegion({
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: refreshTokenKey(oldHash),
            UpdateExpression: 'SET rotatedAt = :at',
            ConditionExpression:
              'attribute_exists(PK) AND userId = :userId AND sessionId = :sessionId AND expiresAt > :now AND attribute_not_exists(rotatedAt)',
            ExpressionAttributeValues: {
              ':at': now.toISOString(),
              ':userId': next.userId,
              ':sessionId': next.sessionId,
              ':now': nowEpoch,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: refreshTokenItem(next),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: sessionKey(next.userId, next.sessionId),
            UpdateExpression: 'SET lastUsedAt = :at, idleExpiresAt = :idle',
            ConditionExpression: 'attribute_exists(PK) AND expiresAt > :now',
            ExpressionAttributeValues: {
              ':at': now.toISOString(),
              ':idle': next.expiresAt,
              ':now': nowEpoch,
            },
          },
        },
        {
          // A disabled account refreshes no token, even of a session created in the moment it was disabled.
          ConditionCheck: {
            TableName: tableName,
            Key: userKey(next.userId),
            ConditionExpression: 'attribute_not_exists(disabledAt)',
          },
        },
      ],
    });
    return undefined;
  } catch (error) {
    const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException' || !reasons) throw error;
    const [token, , , account] = reasons;
    if (account?.Code === 'ConditionalCheckFailed') return 'disabled';
    if (token?.Code !== 'ConditionalCheckFailed') return 'invalid'; // the session is gone or too old
    // DynamoDB returns the old item with the reason (ReturnValuesOnConditionCheckFailure); none: it never existed.
    const old = token.Item;
    const reused =
      attribute(old, 'rotatedAt') !== undefined &&
      attribute(old, 'userId') === next.userId &&
      attribute(old, 'sessionId') === next.sessionId &&
      Number(attribute(old, 'expiresAt')) > nowEpoch;
    return reused ? 'reused' : 'invalid';
  }
}

/** Whether the session still exists (not ended); an eventually consistent read of its key only. */
export async function sessionExists(
  userId: string,
  sessionId: string,
  options: { consistent?: boolean } = {},
): Promise<boolean> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: tableName,
      Key: sessionKey(userId, sessionId),
      ProjectionExpression: 'PK',
      ...(options.consistent ? { ConsistentRead: true } : {}),
    }),
  );
  return Item !== undefined;
}

/** Ends one session of a user; false when the user has no such session (also another user's id). */
export async function deleteSession(userId: string, sessionId: string): Promise<boolean> {
  try {
    await homeDynamo.send(
      new DeleteCommand({
        TableName: tableName,
        Key: sessionKey(userId, sessionId),
        ConditionExpression: 'attribute_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Closes a session's WebSockets while the session goes on: its item is deleted and put back as it was, and the
 * REMOVE on the table stream closes the session's sockets as for an ended session (functions/streams). Its
 * refresh token and id are unchanged. Two writes; in the milliseconds between them a refresh or a new socket of
 * this session is refused as if it had ended (the client logs in again, the safe side). False when the session
 * had already ended.
 */
export async function restartSession(userId: string, sessionId: string): Promise<boolean> {
  const { Attributes } = await homeDynamo.send(
    new DeleteCommand({ TableName: tableName, Key: sessionKey(userId, sessionId), ReturnValues: 'ALL_OLD' }),
  );
  if (!Attributes) return false;
  await homeDynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: Attributes,
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return true;
}

/**
 * Ends the session a refresh token belongs to, if the token is one we issued for it (rotated or not): the
 * token's item is the proof, so knowing a user and session id is not enough to end someone's session.
 */
export async function deleteSessionOfToken(
  tokenHash: string,
  userId: string,
  sessionId: string,
): Promise<boolean> {
  try {
    await inHomeRegion({
      TransactItems: [
        {
          Delete: {
            TableName: tableName,
            Key: refreshTokenKey(tokenHash),
            ConditionExpression: 'userId = :userId AND sessionId = :sessionId',
            ExpressionAttributeValues: { ':userId': userId, ':sessionId': sessionId },
          },
        },
        { Delete: { TableName: tableName, Key: sessionKey(userId, sessionId) } },
      ],
    });
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'TransactionCanceledException') return false;
    throw error;
  }
}

/** How many sessions GET /sessions shows: the most recent ones. */
export const LISTED_SESSIONS = 100;

/** The user's live sessions, newest first (session ids are ULIDs): one Query. */
export async function listSessions(userId: string, now: Date): Promise<SessionRecord[]> {
  const { Items } = await homeDynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      FilterExpression: 'expiresAt > :now AND idleExpiresAt > :now',
      ExpressionAttributeValues: {
        ':pk': sessionKey(userId, '').PK,
        ':prefix': SESSION_PREFIX,
        ':now': Math.floor(now.getTime() / 1000),
      },
      ScanIndexForward: false,
      Limit: LISTED_SESSIONS,
    }),
  );
  return (Items ?? []).map((item) => ({
    id: item.sessionId as string,
    userId,
    createdAt: item.createdAt as string,
    lastUsedAt: item.lastUsedAt as string,
    userAgent: (item.userAgent as string | undefined) ?? null,
    expiresAt: item.expiresAt as number,
    idleExpiresAt: item.idleExpiresAt as number,
  }));
}

/**
 * Ends every session of the user except `keep`: a Query of the session keys, then BatchWriteItem deletes of
 * 25 at a time. Returns the ids of the sessions ended. The Query is strongly consistent: a session created
 * a moment before (a login with the old password, just before a password change) must not be missed.
 */
export async function deleteSessions(userId: string, keep?: string): Promise<string[]> {
  const ended: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await homeDynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': sessionKey(userId, '').PK, ':prefix': SESSION_PREFIX },
        ProjectionExpression: 'sessionId',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    const ids = (page.Items ?? []).map((item) => item.sessionId as string).filter((id) => id !== keep);
    for (let i = 0; i < ids.length; i += 25) {
      await batchDelete(ids.slice(i, i + 25).map((id) => sessionKey(userId, id)));
    }
    ended.push(...ids);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ended;
}

async function batchDelete(keys: Record<string, string>[]): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    // Still throttled after retries: a 503 (the name marks it as a retryable service failure), never a 500.
    if (attempt >= 5) {
      throw Object.assign(new Error('BatchWriteItem left sessions unprocessed'), {
        name: 'ThrottlingException',
      });
    }
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    const { UnprocessedItems } = await homeDynamo.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
    );
    requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}
