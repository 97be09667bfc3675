/**
 * Media: presigned uploads straight to S3 (into quarantine, see media/object-keys.ts), and the rules for
 * attaching media to messages and profiles. Bytes never pass through these functions; the upload check that
 * decides ready or rejected is in upload-check.ts (its own function).
 */
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { MediaRecord } from '../data/media-store';
import * as store from '../data/media-store';
import { NotFoundError, ValidationError } from '../errors';
import { safeFileName } from '../media/content-disposition';
import { MEDIA_LIMITS, type MediaPurpose, maxSizeFor } from '../media/media-types';
import { servedObjectKey, uploadObjectKey } from '../media/object-keys';
import { mediaStorage } from '../media/storage';
import { ulid } from './ids';

export type { MediaRecord };

const PENDING_LIFETIME_SECONDS = 24 * 3600;

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

export interface UploadRequest {
  purpose: MediaPurpose;
  contentType: string;
  size: number;
  fileName?: string;
}

/** `reserve` counts the upload against the caller's quotas once its id is known (domain/upload-quota.ts). */
export async function requestUpload(
  callerId: string,
  request: UploadRequest,
  now = new Date(),
  reserve?: (mediaId: string) => Promise<void>,
) {
  const limit = maxSizeFor(request.purpose, request.contentType);
  if (limit === undefined) {
    const allowed = [...MEDIA_LIMITS[request.purpose].keys()].join(', ');
    throw new ValidationError(
      `${request.purpose === 'avatar' ? 'An avatar' : 'An attachment'} must be one of: ${allowed}.`,
      [{ field: 'contentType', message: `must be one of ${allowed} for purpose "${request.purpose}"` }],
    );
  }
  if (request.size > limit) {
    throw new ValidationError(
      `A ${request.contentType} ${request.purpose} may be at most ${megabytes(limit)}.`,
      [
        {
          field: 'size',
          message: `must be at most ${limit} bytes (${megabytes(limit)}) for ${request.contentType}`,
        },
      ],
    );
  }
  const { s3, bucket, uploadUrlTtlSeconds } = mediaStorage();
  const id = ulid(now.getTime());
  await reserve?.(id);
  const uploadKey = uploadObjectKey(request.purpose, callerId, id);
  // S3 itself enforces these: the exact quarantine key for this upload, the declared type, and a size no
  // larger than declared. (s3rver locally does not, which is why the upload check checks again.) The POST
  // can be replayed until it expires; the upload check discards whatever arrives once the media is settled.
  const upload = await createPresignedPost(s3, {
    Bucket: bucket,
    Key: uploadKey,
    Conditions: [
      ['eq', '$key', uploadKey],
      ['eq', '$Content-Type', request.contentType],
      ['content-length-range', 1, request.size],
    ],
    Fields: { 'Content-Type': request.contentType },
    Expires: uploadUrlTtlSeconds,
  });
  const media: MediaRecord = {
    id,
    ownerId: callerId,
    purpose: request.purpose,
    key: servedObjectKey(request.purpose, callerId, id),
    declaredContentType: request.contentType,
    declaredSize: request.size,
    // Made safe once, here: the download's Content-Disposition and file messages show this name.
    fileName: request.fileName === undefined ? null : safeFileName(request.fileName),
    status: 'pending',
    createdAt: now.toISOString(),
  };
  await store.putPendingMedia(media, Math.floor(now.getTime() / 1000) + PENDING_LIFETIME_SECONDS);
  return {
    ...media,
    upload: { method: 'POST' as const, url: upload.url, fields: upload.fields },
    expiresAt: new Date(now.getTime() + uploadUrlTtlSeconds * 1000).toISOString(),
  };
}

export async function getOwnMedia(callerId: string, mediaId: string): Promise<MediaRecord> {
  const media = await store.getMedia(mediaId);
  if (!media || media.ownerId !== callerId) throw new NotFoundError(`No upload "${mediaId}" of yours.`);
  return media;
}

/**
 * The upload a message or profile may use: it must exist, be the caller's own, be ready, have the right
 * purpose and be of the right kind. All failures look the same, so other users' uploads cannot be probed.
 */
export async function requireReadyMedia(
  ownerId: string,
  mediaId: string,
  expected: { purpose: MediaPurpose; kind?: 'image' | 'video' | 'audio'; field: string },
): Promise<MediaRecord & { contentType: string; size: number }> {
  const media = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(mediaId) ? await store.getMedia(mediaId) : undefined;
  const usable =
    media?.ownerId === ownerId &&
    media.status === 'ready' &&
    media.purpose === expected.purpose &&
    media.contentType !== undefined &&
    media.size !== undefined &&
    (expected.kind === undefined || media.contentType.startsWith(`${expected.kind}/`));
  if (!usable || !media?.contentType || media.size === undefined) {
    const what = expected.kind ? `${expected.kind} ` : '';
    throw new ValidationError(`"${mediaId}" is not a ready ${what}${expected.purpose} upload of yours.`, [
      {
        field: expected.field,
        message: `must be the id of your own ready ${what}${expected.purpose} upload`,
      },
    ]);
  }
  return { ...media, contentType: media.contentType, size: media.size };
}
