/**
 * Deletes a profile picture once the profile no longer points at it (replaced, or removed with
 * `avatarMediaId: null`), together with its media item, so the old id cannot be set again. It runs from the
 * table stream, after the profile change is committed: the profile never points at a deleted file, and a
 * failed delete fails the stream record, which Lambda retries (see functions/streams/table-stream.ts).
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { PICTURE_CHANGES } from '../../streams/stream-filter';
import { deleteMedia } from '../data/media-store';
import { logger } from '../logger';
import { mediaIdOfServedKey } from '../media/object-keys';
import { mediaStorage } from '../media/storage';

const PICTURE_ATTRIBUTE = PICTURE_CHANGES.oldImageAttribute;

export async function onProfileChanged(
  previous: Record<string, unknown> | undefined,
  next: Record<string, unknown> | undefined,
): Promise<void> {
  const oldKey = previous?.[PICTURE_ATTRIBUTE];
  if (typeof oldKey !== 'string' || oldKey === next?.[PICTURE_ATTRIBUTE]) return;
  const mediaId = mediaIdOfServedKey(oldKey);
  if (!mediaId) {
    logger.warn('profile picture key of an unknown shape left alone', { key: oldKey });
    return;
  }
  const { s3, bucket } = mediaStorage();
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: oldKey })); // deleting a missing key succeeds
  await deleteMedia(mediaId);
  logger.info('replaced profile picture deleted', { mediaId });
}
