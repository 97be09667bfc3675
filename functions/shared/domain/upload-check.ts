/**
 * The upload check, run for each object that arrives in quarantine (`uploads/…`, never served). A file that
 * matches its pending declaration is written to its served key (images with their metadata stripped, videos
 * copied) with the Content-Type and Content-Disposition we choose, and the media becomes ready; anything else
 * is rejected. Whatever arrives for media that is no longer pending (the presigned POST replayed after the
 * verdict) is deleted and never reaches a served key. The quarantined object is always deleted at the end.
 *
 * Every writer of a served key writes bytes it has just checked: images are re-written from the bytes that
 * were read and checked; videos are copied only if the quarantined object still has the ETag that was
 * checked (S3 refuses the copy otherwise). So a swap between the check and the copy cannot be served.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { MediaRecord } from '../data/media-store';
import * as store from '../data/media-store';
import { logger } from '../logger';
import { contentDispositionFor } from '../media/content-disposition';
import { detectContentTypes, maxSizeFor, SNIFF_BYTES } from '../media/media-types';
import { parseUploadKey, QUARANTINE_PREFIX } from '../media/object-keys';
import { mediaStorage } from '../media/storage';
import { isStrippable, stripMetadata, UnreadableImageError } from '../media/strip-metadata';
import { uploadArrived } from './upload-quota';

export type UploadOutcome = 'ready' | 'rejected' | 'discarded' | 'ignored' | 'superseded';

/**
 * The quarantined object is gone (another delivery of the event finished with it) or was replaced since the
 * HEAD (the ETag condition failed): the newer object has an event of its own, so this run stops.
 */
const isGoneOrReplaced = (error: unknown) =>
  error instanceof Error && ['NotFound', 'NoSuchKey', 'PreconditionFailed'].includes(error.name);

/** Why a stored object fails its declaration (from its S3 metadata alone), or undefined when it passes. */
export function checkDeclaration(
  media: MediaRecord,
  stored: { size: number; contentType: string | undefined },
): string | undefined {
  const limit = maxSizeFor(media.purpose, media.declaredContentType) ?? 0;
  if (stored.size > media.declaredSize)
    return `size ${stored.size} exceeds the declared ${media.declaredSize} bytes`;
  if (stored.size > limit) return `size ${stored.size} exceeds the limit of ${limit} bytes`;
  if (stored.size === 0) return 'the file is empty';
  if (stored.contentType !== media.declaredContentType) {
    return `stored as ${stored.contentType ?? 'no type'}, declared ${media.declaredContentType}`;
  }
  return undefined;
}

/** Why the file's leading bytes are not what was declared, or undefined when they are. */
export function checkContents(media: MediaRecord, leadingBytes: Uint8Array): string | undefined {
  return detectContentTypes(leadingBytes).includes(media.declaredContentType)
    ? undefined
    : `the file's contents are not ${media.declaredContentType}`;
}

/** Runs on each S3 ObjectCreated event under the quarantine prefix. */
export async function processUpload(objectKey: string): Promise<UploadOutcome> {
  try {
    return await checkUpload(objectKey);
  } catch (error) {
    if (!isGoneOrReplaced(error)) throw error;
    logger.info('quarantined object gone or replaced during the check', { objectKey });
    return 'superseded';
  }
}

async function checkUpload(objectKey: string): Promise<UploadOutcome> {
  if (!objectKey.startsWith(QUARANTINE_PREFIX)) {
    // Only quarantine is checked (the bucket notification says so too); served objects are ours.
    logger.warn('object outside quarantine ignored', { objectKey });
    return 'ignored';
  }
  const { s3, bucket } = mediaStorage();
  const deleteQuarantined = () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey }));
  const parsed = parseUploadKey(objectKey);
  const media = parsed ? await store.getMedia(parsed.mediaId) : undefined;
  if (!parsed || !media || media.ownerId !== parsed.ownerId || media.purpose !== parsed.purpose) {
    logger.warn('unexpected object in quarantine deleted', { objectKey });
    await deleteQuarantined();
    return 'discarded';
  }
  if (media.status !== 'pending') {
    // The presigned POST used again after the verdict: whatever it brought is never checked nor served.
    logger.warn('upload for settled media deleted', { mediaId: media.id, status: media.status });
    await deleteQuarantined();
    return 'discarded';
  }

  await uploadArrived(media);

  const reject = async (reason: string): Promise<UploadOutcome> => {
    await deleteQuarantined();
    await store.settleMedia(media.id, { status: 'rejected', reason });
    logger.info('upload rejected', { mediaId: media.id, reason });
    return 'rejected';
  };

  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
  const declarationProblem = checkDeclaration(media, {
    size: head.ContentLength ?? 0,
    contentType: head.ContentType,
  });
  if (declarationProblem) return reject(declarationProblem);

  const served = {
    Bucket: bucket,
    Key: media.key,
    ContentType: media.declaredContentType,
    ContentDisposition: contentDispositionFor(media.declaredContentType, media.fileName),
  };
  let servedSize: number;
  if (isStrippable(media.declaredContentType)) {
    // Images (at most 25 MB) are read whole, checked, stripped of metadata and written as a new object.
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: objectKey, IfMatch: head.ETag }),
    );
    const bytes = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    const contentsProblem = checkContents(media, bytes.subarray(0, SNIFF_BYTES));
    if (contentsProblem) return reject(contentsProblem);
    let stripped: Buffer;
    try {
      stripped = stripMetadata(media.declaredContentType, bytes);
    } catch (error) {
      if (error instanceof UnreadableImageError) return reject(`the file is ${error.message}`);
      throw error;
    }
    await s3.send(new PutObjectCommand({ ...served, Body: stripped }));
    servedSize = stripped.length;
  } else {
    // Everything else (videos, audio, documents: up to 100 MB) is checked by its leading bytes and copied
    // inside S3. Its metadata is not stripped (see docs/architecture.md, "Media").
    const leading = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Range: `bytes=0-${SNIFF_BYTES - 1}`,
        IfMatch: head.ETag,
      }),
    );
    const contentsProblem = checkContents(
      media,
      leading.Body ? await leading.Body.transformToByteArray() : new Uint8Array(),
    );
    if (contentsProblem) return reject(contentsProblem);
    await s3.send(
      new CopyObjectCommand({
        ...served,
        CopySource: `${bucket}/${objectKey}`,
        CopySourceIfMatch: head.ETag,
        MetadataDirective: 'REPLACE',
      }),
    );
    servedSize = head.ContentLength ?? 0;
  }

  const settled = await store.settleMedia(media.id, {
    status: 'ready',
    contentType: media.declaredContentType,
    size: servedSize,
  });
  if (!settled && (await store.getMedia(media.id))?.status !== 'ready') {
    // Another delivery for this media settled it as rejected meanwhile: nothing may stay served.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: media.key }));
  }
  await deleteQuarantined();
  return settled ? 'ready' : 'discarded';
}
