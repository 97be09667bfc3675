/** Data access for data exports (the `EXPORT` item in the user's partition). Knows DynamoDB; not HTTP. */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { dynamo, isConditionalCheckFailed, tableName } from './client';
import { conversationKey, dataExportKey, MESSAGE_PREFIX } from './keys';
import { type MessageRecord, toMessage } from './messages-store';
import { originStamp } from './origin';

export interface DataExportRecord {
  userId: string;
  exportId: string;
  status: 'pending' | 'ready' | 'failed';
  requestedAt: string;
  readyAt: string | undefined;
  /** The file in the media bucket, once ready. */
  objectKey: string | undefined;
}

export function toDataExport(item: Record<string, unknown>): DataExportRecord {
  return {
    userId: item.userId as string,
    exportId: item.exportId as string,
    status: (item.status as DataExportRecord['status']) ?? 'pending',
    requestedAt: item.requestedAt as string,
    readyAt: (item.readyAt as string | undefined) ?? undefined,
    objectKey: (item.objectKey as string | undefined) ?? undefined,
  };
}

/** Starts an export: the item replaces the previous one; its stream record makes the file. */
export async function putPendingExport(record: DataExportRecord, expiresAt: number): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...dataExportKey(record.userId),
        type: 'DataExport',
        userId: record.userId,
        exportId: record.exportId,
        status: 'pending',
        requestedAt: record.requestedAt,
        expiresAt,
        // Made by the home region's stream, which has the media bucket (data/origin.ts).
        ...originStamp(config.homeRegion ?? config.region),
      },
    }),
  );
}

export async function getExport(userId: string): Promise<DataExportRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: dataExportKey(userId), ConsistentRead: true }),
  );
  return Item ? toDataExport(Item) : undefined;
}

/** Marks the export ready (or failed), only if it is still the same, pending one: a replay writes nothing. */
export async function settleExport(
  userId: string,
  exportId: string,
  outcome: { status: 'ready'; objectKey: string; at: string } | { status: 'failed'; at: string },
): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: dataExportKey(userId),
        UpdateExpression:
          outcome.status === 'ready'
            ? 'SET #status = :status, readyAt = :at, objectKey = :key'
            : 'SET #status = :status, readyAt = :at',
        ConditionExpression: 'exportId = :id AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':at': outcome.at,
          ':id': exportId,
          ':pending': 'pending',
          ...(outcome.status === 'ready' ? { ':key': outcome.objectKey } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** Every message the user sent in a conversation (all pages: a sender is no key, so the history is read). */
export async function messagesSentBy(conversationId: string, userId: string): Promise<MessageRecord[]> {
  const messages: MessageRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :msg)',
        FilterExpression: 'senderId = :user',
        ExpressionAttributeValues: {
          ':pk': conversationKey(conversationId).PK,
          ':msg': MESSAGE_PREFIX,
          ':user': userId,
        },
        ExclusiveStartKey: startKey,
      }),
    );
    messages.push(...(page.Items ?? []).map(toMessage));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return messages;
}
