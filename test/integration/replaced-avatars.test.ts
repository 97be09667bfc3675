/**
 * Replaced profile pictures are deleted from the table stream, after the profile change is committed: the
 * table-stream function against DynamoDB Local and an s3rver of its own. A failed delete (a fault s3rver does
 * not produce, so it is injected) fails the stream record, which Lambda then retries; the profile is never
 * touched by it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startS3Local } from '../../local/services';
import { LOCAL_CREDENTIALS } from '../../local/stack';
import { pngImage } from '../support/media-fixtures';

const BUCKET = 'replaced-avatars-test';
const dataDir = await mkdtemp(join(tmpdir(), 'replaced-avatars-'));
const s3Local = await startS3Local(dataDir, [BUCKET]);
// Function modules read their configuration when they load.
Object.assign(process.env, { MEDIA_BUCKET: BUCKET, S3_ENDPOINT: s3Local.endpoint });
const { handler } = await import('../../functions/streams/table-stream');
const { dynamo, tableName } = await import('../../functions/shared/data/client');
const { mediaKey, userKey } = await import('../../functions/shared/data/keys');
const { mediaStorage } = await import('../../functions/shared/media/storage');

const s3 = new S3Client({
  endpoint: s3Local.endpoint,
  forcePathStyle: true,
  region: 'us-east-1',
  credentials: LOCAL_CREDENTIALS,
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  s3.destroy();
  await s3Local.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const exists = async (key: string) =>
  s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    () => false,
  );
const mediaItem = async (mediaId: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName, Key: mediaKey(mediaId) }))).Item;

/** A ready avatar: its served file and its media item. */
async function storedAvatar(userId: string) {
  const mediaId = ulid();
  const key = `avatars/${userId}/${mediaId}`;
  await s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: pngImage(), ContentType: 'image/png' }),
  );
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...mediaKey(mediaId), id: mediaId, ownerId: userId, purpose: 'avatar', key, status: 'ready' },
    }),
  );
  return { mediaId, key };
}

let sequence = 0;
/** The stream record of a profile update from one picture to another (or to none). */
function profileModified(
  userId: string,
  oldKey: string | undefined,
  newKey: string | undefined,
): DynamoDBRecord {
  sequence += 1;
  const profile = { ...userKey(userId), id: userId, username: `u${userId.toLowerCase()}`, displayName: 'U' };
  return {
    eventID: `p${sequence}`,
    eventName: 'MODIFY',
    dynamodb: {
      Keys: marshall(userKey(userId)) as never,
      OldImage: marshall({ ...profile, ...(oldKey ? { avatarKey: oldKey } : {}) }) as never,
      NewImage: marshall({ ...profile, ...(newKey ? { avatarKey: newKey } : {}) }) as never,
      SequenceNumber: String(sequence),
    },
  };
}

describe('replaced profile pictures', () => {
  it('deletes the old file and its media item when the profile points at a new picture', async () => {
    const userId = ulid();
    const [old, current] = [await storedAvatar(userId), await storedAvatar(userId)];

    const result = await handler({ Records: [profileModified(userId, old.key, current.key)] });

    expect(result.batchItemFailures).toEqual([]);
    expect(await exists(old.key)).toBe(false);
    expect(await mediaItem(old.mediaId)).toBeUndefined();
    expect(await exists(current.key)).toBe(true);
    expect(await mediaItem(current.mediaId)).toBeDefined();
  });

  it('deletes nothing when the picture did not change', async () => {
    const userId = ulid();
    const avatar = await storedAvatar(userId);

    const result = await handler({ Records: [profileModified(userId, avatar.key, avatar.key)] });

    expect(result.batchItemFailures).toEqual([]);
    expect(await exists(avatar.key)).toBe(true);
    expect(await mediaItem(avatar.mediaId)).toBeDefined();
  });

  it('fails the record when the delete fails, so Lambda retries it, and the retry deletes the file', async () => {
    const userId = ulid();
    const old = await storedAvatar(userId);
    const record = profileModified(userId, old.key, undefined);
    const internalError = Object.assign(new Error('We encountered an internal error.'), {
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
    vi.spyOn(mediaStorage().s3, 'send').mockRejectedValueOnce(internalError as never);

    const failed = await handler({ Records: [record] });

    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb?.SequenceNumber }]);
    expect(await exists(old.key)).toBe(true);
    expect(await mediaItem(old.mediaId)).toBeDefined();

    const retried = await handler({ Records: [record] });

    expect(retried.batchItemFailures).toEqual([]);
    expect(await exists(old.key)).toBe(false);
    expect(await mediaItem(old.mediaId)).toBeUndefined();
  });
});
