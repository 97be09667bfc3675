/** Data access for media items. Knows DynamoDB; knows nothing of HTTP or S3. */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MediaPurpose } from '../media/media-types';
import { dynamo, isConditionalCheckFailed, tableName } from './client';
import { mediaKey } from './keys';

export type MediaStatus = 'pending' | 'ready' | 'rejected';

export interface MediaRecord {
  id: string;
  ownerId: string;
  purpose: MediaPurpose;
  /**
   * The served S3 object key, `<purpose>s/<ownerId>/<id>`; the upload itself lands in quarantine first
   * (`uploads/<purpose>/<ownerId>/<id>`, see media/object-keys.ts) and is copied here only once it passed.
   */
  key: string;
  declaredContentType: string;
  declaredSize: number;
  fileName: string | null;
  status: MediaStatus;
  createdAt: string;
  /** Set once ready: what was actually stored. */
  contentType?: string;
  size?: number;
  rejectionReason?: string;
}

const toMedia = (item: Record<string, unknown>): MediaRecord => {
  const { PK: _pk, SK: _sk, type: _type, expiresAt: _expires, ...record } = item;
  return record as unknown as MediaRecord;
};

/** Pending uploads expire (TTL) after a day if no object ever arrives. */
export async function putPendingMedia(media: MediaRecord, expiresAtEpoch: number): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...mediaKey(media.id), type: 'Media', ...media, expiresAt: expiresAtEpoch },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function getMedia(mediaId: string): Promise<MediaRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: mediaKey(mediaId), ConsistentRead: true }),
  );
  return Item ? toMedia(Item) : undefined;
}

/** Moves a pending upload to its verdict; a repeated event for the same object changes nothing. */
export async function settleMedia(
  mediaId: string,
  verdict: { status: 'ready'; contentType: string; size: number } | { status: 'rejected'; reason: string },
): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: mediaKey(mediaId),
        UpdateExpression:
          verdict.status === 'ready'
            ? 'SET #status = :status, contentType = :contentType, #size = :size REMOVE expiresAt'
            : 'SET #status = :status, rejectionReason = :reason',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: {
          '#status': 'status',
          ...(verdict.status === 'ready' ? { '#size': 'size' } : {}),
        },
        ExpressionAttributeValues: {
          ':status': verdict.status,
          ':pending': 'pending',
          ...(verdict.status === 'ready'
            ? { ':contentType': verdict.contentType, ':size': verdict.size }
            : { ':reason': verdict.reason }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** Forgets a media item whose file was deleted (a replaced profile picture), so it cannot be used again. */
export async function deleteMedia(mediaId: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: tableName, Key: mediaKey(mediaId) }));
}
