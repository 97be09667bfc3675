/**
 * Data access for users' change feeds and their open WebSocket connections. Knows DynamoDB; knows nothing of
 * what the events mean, or of API Gateway.
 *
 * The head (`USER#<u>` / `FEED`) holds `seq`, the last position taken in the user's feed, and one attribute per
 * open connection (`C#<connectionId>`: when it connected, when the access token it connected with expires, its
 * session). So the one write that takes positions for a user's new events (`ADD seq`, ReturnValues ALL_NEW)
 * also says where to post them: no Query of connections per recipient. Connections are top-level attributes
 * rather than a map so that adding the first one needs no map to exist (a nested SET fails on a missing map).
 *
 * Entries (`FEED#<u>` / position, zero-padded) hold one event each, as stored (e.g. a message with its media
 * key, not a signed URL), as JSON text: user content of any shape stays opaque to DynamoDB. They expire after
 * the retention window (TTL).
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailed, tableName } from './client';
import { FEED_POSITION_DIGITS, feedEntryKey, feedHeadKey } from './keys';

const CONNECTION_PREFIX = 'C#';

export interface ConnectionInfo {
  connectionId: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** Epoch milliseconds: when the access token the connection was opened with expires. */
  tokenExpiresAt: number;
  /** The session (login) the token belongs to, when the token names one (`sid`). */
  sessionId?: string;
  /** Multi-region: the region whose WebSocket API holds the connection (only that region posts to it). */
  region?: string;
}

export interface FeedHead {
  userId: string;
  /** The last position taken (0: none yet). */
  seq: number;
  connections: ConnectionInfo[];
  /** When the user's last connection closed (ISO time). */
  lastActiveAt?: string;
  /** Epoch milliseconds: when positions were last taken (0: never). */
  takenAt: number;
  /** The presence last announced to the user's watchers (`presence.changed`), and when (epoch ms). */
  presenceNotice?: { online: boolean; at: number };
}

export interface FeedEntry {
  userId: string;
  seq: number;
  /** Epoch milliseconds: when the position was taken. */
  at: number;
  /** The stored event, as JSON text. */
  event: string;
}

function toHead(userId: string, item: Record<string, unknown> | undefined): FeedHead {
  const connections: ConnectionInfo[] = [];
  for (const [name, value] of Object.entries(item ?? {})) {
    if (!name.startsWith(CONNECTION_PREFIX) || typeof value !== 'object' || value === null) continue;
    const info = value as Record<string, unknown>;
    connections.push({
      connectionId: name.slice(CONNECTION_PREFIX.length),
      connectedAt: Number(info.connectedAt),
      tokenExpiresAt: Number(info.tokenExpiresAt),
      ...(typeof info.sessionId === 'string' ? { sessionId: info.sessionId } : {}),
      ...(typeof info.region === 'string' ? { region: info.region } : {}),
    });
  }
  return {
    userId,
    seq: Number(item?.seq ?? 0),
    takenAt: Number(item?.takenAt ?? 0),
    connections,
    ...(typeof item?.lastActiveAt === 'string' ? { lastActiveAt: item.lastActiveAt } : {}),
    ...(typeof item?.noticeAt === 'number'
      ? { presenceNotice: { online: item.noticeOnline === true, at: item.noticeAt } }
      : {}),
  };
}

/**
 * Takes the next `count` positions of a user's feed: one UpdateItem, which also returns the user's open
 * connections. The first position taken is `head.seq - count + 1`.
 */
export async function takePositions(userId: string, count: number, at = Date.now()): Promise<FeedHead> {
  const { Attributes } = await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: feedHeadKey(userId),
      UpdateExpression: 'ADD seq :count SET #type = :type, takenAt = :at',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':count': count, ':type': 'FeedHead', ':at': at },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return toHead(userId, Attributes);
}

/** The head, read strongly consistent (a position just handed out must not look unknown). */
export async function getHead(userId: string): Promise<FeedHead> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: feedHeadKey(userId), ConsistentRead: true }),
  );
  return toHead(userId, Item);
}

/** The heads of several users (their open connections), in chunks of 100; missing heads are empty. */
export async function getHeads(userIds: readonly string[]): Promise<FeedHead[]> {
  const unique = [...new Set(userIds)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  const found = new Map<string, Record<string, unknown>>();
  await Promise.all(
    chunks.map(async (chunk) => {
      let keys: Record<string, unknown>[] | undefined = chunk.map(feedHeadKey);
      for (let attempt = 0; keys?.length && attempt < 5; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
        const response: BatchGetCommandOutput = await dynamo.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }),
        );
        for (const item of response.Responses?.[tableName] ?? []) {
          found.set((item.PK as string).slice('USER#'.length), item);
        }
        keys = response.UnprocessedKeys?.[tableName]?.Keys;
      }
      if (keys?.length) {
        throw Object.assign(new Error('BatchGetItem left keys unprocessed'), { name: 'ThrottlingException' });
      }
    }),
  );
  return unique.map((userId) => toHead(userId, found.get(userId)));
}

export const feedEntryItem = (entry: FeedEntry, retentionSeconds: number) => ({
  ...feedEntryKey(entry.userId, entry.seq),
  type: 'FeedEntry',
  at: entry.at,
  event: entry.event,
  expiresAt: Math.floor(entry.at / 1000) + retentionSeconds,
});

/**
 * Writes entries with BatchWriteItem (25 per request, in parallel), retrying what DynamoDB leaves unprocessed
 * until `deadline` (epoch ms). Returns the entries still unwritten at the deadline: the caller takes new
 * positions for them, so that a late write never lands behind a reader that has given its position up.
 */
export async function writeEntries(
  entries: readonly FeedEntry[],
  retentionSeconds: number,
  deadline = Number.POSITIVE_INFINITY,
): Promise<FeedEntry[]> {
  const byKey = new Map(entries.map((entry) => [`${entry.userId}/${entry.seq}`, entry]));
  const chunks: FeedEntry[][] = [];
  for (let i = 0; i < entries.length; i += 25) chunks.push(entries.slice(i, i + 25));
  const left: FeedEntry[] = [];
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** Math.min(attempt, 6)));
        if (Date.now() >= deadline) {
          left.push(...pending);
          return;
        }
        const response: BatchWriteCommandOutput = await dynamo.send(
          new BatchWriteCommand({
            RequestItems: {
              [tableName]: pending.map((entry) => ({
                PutRequest: { Item: feedEntryItem(entry, retentionSeconds) },
              })),
            },
          }),
        );
        pending = (response.UnprocessedItems?.[tableName] ?? []).flatMap((request) => {
          const item = request.PutRequest?.Item;
          const entry = item && byKey.get(`${(item.PK as string).slice('FEED#'.length)}/${Number(item.SK)}`);
          return entry ? [entry] : [];
        });
      }
    }),
  );
  return left;
}

/**
 * Up to `limit` entries after position `afterSeq`, in order: one Query (DynamoDB may return fewer when the page
 * reaches 1 MB). `more` says whether the Query stopped before the end.
 */
export async function queryEntries(
  userId: string,
  afterSeq: number,
  limit: number,
): Promise<{ entries: FeedEntry[]; more: boolean }> {
  const { PK } = feedEntryKey(userId, 0);
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND SK > :after',
      ExpressionAttributeValues: {
        ':pk': PK,
        ':after': String(afterSeq).padStart(FEED_POSITION_DIGITS, '0'),
      },
      Limit: limit,
    }),
  );
  return {
    entries: (response.Items ?? []).map((item) => ({
      userId,
      seq: Number(item.SK),
      at: Number(item.at),
      event: item.event as string,
    })),
    more: response.LastEvaluatedKey !== undefined,
  };
}

/** The user's newest entries, newest first: one Query of at most `limit`. */
export async function queryRecentEntries(userId: string, limit: number): Promise<FeedEntry[]> {
  const { PK } = feedEntryKey(userId, 0);
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': PK },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (response.Items ?? []).map((item) => ({
    userId,
    seq: Number(item.SK),
    at: Number(item.at),
    event: item.event as string,
  }));
}

/** The newest entries at or below position `upToSeq`, newest first: one Query of at most `limit`. */
export async function queryLatestEntries(
  userId: string,
  upToSeq: number,
  limit: number,
): Promise<{ entries: Omit<FeedEntry, 'event'>[]; more: boolean }> {
  const { PK } = feedEntryKey(userId, 0);
  const response = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND SK <= :upTo',
      ExpressionAttributeValues: { ':pk': PK, ':upTo': String(upToSeq).padStart(FEED_POSITION_DIGITS, '0') },
      ProjectionExpression: 'SK, #at',
      ExpressionAttributeNames: { '#at': 'at' },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return {
    entries: (response.Items ?? []).map((item) => ({ userId, seq: Number(item.SK), at: Number(item.at) })),
    more: response.LastEvaluatedKey !== undefined,
  };
}

/** Registers an open connection on the user's head; returns the head with every connection. */
export async function addConnection(userId: string, connection: ConnectionInfo): Promise<FeedHead> {
  const { connectionId, ...info } = connection;
  const { Attributes } = await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: feedHeadKey(userId),
      UpdateExpression: 'SET #connection = :info, #type = :type',
      ExpressionAttributeNames: { '#connection': `${CONNECTION_PREFIX}${connectionId}`, '#type': 'type' },
      ExpressionAttributeValues: { ':info': info, ':type': 'FeedHead' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return toHead(userId, Attributes);
}

/** Forgets connections of a user (closed, gone, or past their token); `at` records the user's last activity. */
export async function removeConnections(
  userId: string,
  connectionIds: readonly string[],
  at?: Date,
): Promise<FeedHead | undefined> {
  if (connectionIds.length === 0 && !at) return undefined;
  const names = Object.fromEntries(
    connectionIds.map((id, i) => [`#c${i}`, `${CONNECTION_PREFIX}${id}`] as const),
  );
  const removes = Object.keys(names).join(', ');
  const { Attributes } = await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: feedHeadKey(userId),
      UpdateExpression: [at ? 'SET lastActiveAt = :at' : '', removes ? `REMOVE ${removes}` : '']
        .filter(Boolean)
        .join(' '),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ...(at ? { ExpressionAttributeValues: { ':at': at.toISOString() } } : {}),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return toHead(userId, Attributes);
}

/**
 * Claims the right to announce a user's presence: at most once per `windowMs` per user, across every function
 * instance (a conditional write on the head: `noticeAt` is when the last announcement went out). Only a state
 * different from the last one announced is claimed. Returns the head as written, or undefined when refused.
 */
export async function claimPresenceNotice(
  userId: string,
  online: boolean,
  windowMs: number,
  now = Date.now(),
): Promise<FeedHead | undefined> {
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: feedHeadKey(userId),
        UpdateExpression: 'SET noticeAt = :now, noticeOnline = :online',
        ConditionExpression:
          '(attribute_not_exists(noticeAt) OR noticeAt <= :earliest) AND ' +
          '(attribute_not_exists(noticeOnline) OR noticeOnline <> :online)',
        ExpressionAttributeValues: { ':now': now, ':earliest': now - windowMs, ':online': online },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toHead(userId, Attributes);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/**
 * Records that a user who hid their presence was announced offline, at once (no window: hiding is the user's
 * wish, not a flapping connection). Only when they were last announced online; false otherwise.
 */
export async function withdrawPresenceNotice(userId: string, now = Date.now()): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: feedHeadKey(userId),
        UpdateExpression: 'SET noticeAt = :now, noticeOnline = :offline',
        ConditionExpression: 'noticeOnline = :online',
        ExpressionAttributeValues: { ':now': now, ':offline': false, ':online': true },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
