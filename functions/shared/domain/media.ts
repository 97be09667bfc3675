/**
 * Media: presigned uploads straight to S3, the post-upload check that decides ready or rejected, and the
 * rules for attaching media to messages and profiles. Bytes never pass through Lambda.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { MediaRecord } from '../data/media-store';
import * as store from '../data/media-store';
import { NotFoundError, ValidationError } from '../errors';
import { logger } from '../logger';
import {
  detectContentTypes,
  MEDIA_LIMITS,
  type MediaPurpose,
  maxSizeFor,
  SNIFF_BYTES,
} from '../media/media-types';
import { mediaStorage } from '../media/storage';
import { ulid } from './ids';

export type { MediaRecord };

const PENDING_LIFETIME_SECONDS = 24 * 3600;
const KEY_PATTERN = /^(avatar|attachment)s\/([^/]+)\/([0-9A-HJKMNP-TV-Z]{26})$/;

export const mediaObjectKey = (purpose: MediaPurpose, ownerId: string, mediaId: string) =>
  `${purpose}s/${ownerId}/${mediaId}`;

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

export interface UploadRequest {
  purpose: MediaPurpose;
  contentType: string;
  size: number;
  fileName?: string;
}

export async function requestUpload(callerId: string, request: UploadRequest, now = new Date()) {
  const limit = maxSizeFor(request.purpose, request.contentType);
  if (limit === undefined) {
    const allowed = Object.keys(MEDIA_LIMITS[request.purpose]).join(', ');
    throw new ValidationError(`A ${request.purpose} must be one of: ${allowed}.`, [
      { field: 'contentType', message: `must be one of ${allowed} for purpose "${request.purpose}"` },
    ]);
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
  const key = mediaObjectKey(request.purpose, callerId, id);
  // S3 itself enforces these: the exact key under the caller's prefix, the declared type, and a size no
  // larger than declared. (s3rver locally does not, which is why processUpload checks again.)
  const upload = await createPresignedPost(s3, {
    Bucket: bucket,
    Key: key,
    Conditions: [
      ['eq', '$key', key],
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
    key,
    declaredContentType: request.contentType,
    declaredSize: request.size,
    fileName: request.fileName ?? null,
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

/** Why a stored object fails its declaration, or undefined when it passes. */
export function checkUpload(
  media: MediaRecord,
  stored: { size: number; contentType: string | undefined; leadingBytes: Uint8Array },
): string | undefined {
  const limit = maxSizeFor(media.purpose, media.declaredContentType) ?? 0;
  if (stored.size > media.declaredSize)
    return `size ${stored.size} exceeds the declared ${media.declaredSize} bytes`;
  if (stored.size > limit) return `size ${stored.size} exceeds the limit of ${limit} bytes`;
  if (stored.contentType !== media.declaredContentType) {
    return `stored as ${stored.contentType ?? 'no type'}, declared ${media.declaredContentType}`;
  }
  if (!detectContentTypes(stored.leadingBytes).includes(media.declaredContentType)) {
    return `the file's contents are not ${media.declaredContentType}`;
  }
  return undefined;
}

/** Runs on each S3 ObjectCreated event: marks the media ready, or rejected with the object deleted. */
export async function processUpload(objectKey: string): Promise<'ready' | 'rejected' | 'ignored'> {
  const { s3, bucket } = mediaStorage();
  const deleteObject = () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey }));
  const match = KEY_PATTERN.exec(objectKey);
  const media = match?.[3] ? await store.getMedia(match[3]) : undefined;
  if (!media || media.key !== objectKey) {
    // Nothing asked for this object (only presigned uploads should land in the bucket): remove it.
    logger.warn('unexpected object in the media bucket', { objectKey });
    await deleteObject();
    return 'rejected';
  }
  if (media.status !== 'pending') return 'ignored';
  const [head, leading] = await Promise.all([
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey })),
    s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey, Range: `bytes=0-${SNIFF_BYTES - 1}` })),
  ]);
  const leadingBytes = leading.Body ? await leading.Body.transformToByteArray() : new Uint8Array();
  const size = head.ContentLength ?? 0;
  const reason = checkUpload(media, { size, contentType: head.ContentType, leadingBytes });
  if (reason) {
    await deleteObject();
    await store.settleMedia(media.id, { status: 'rejected', reason });
    logger.info('upload rejected', { mediaId: media.id, reason });
    return 'rejected';
  }
  await store.settleMedia(media.id, { status: 'ready', contentType: media.declaredContentType, size });
  return 'ready';
}

/**
 * The upload a message or profile may use: it must exist, be the caller's own, be ready, have the right
 * purpose and be of the right kind. All failures look the same, so other users' uploads cannot be probed.
 */
export async function requireReadyMedia(
  ownerId: string,
  mediaId: string,
  expected: { purpose: MediaPurpose; kind?: 'image' | 'video'; field: string },
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
