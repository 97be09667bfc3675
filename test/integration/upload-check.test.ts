/**
 * The upload check (functions/shared/domain/upload-check.ts) called directly against DynamoDB Local and an
 * s3rver of its own, with no bucket events wired, so each step is observed: what it refuses, what it deletes,
 * and what it writes to a served key. s3rver enforces no POST policy, so these are the refusals S3 would not
 * make for us.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ulid } from 'ulid';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3Local } from '../../local/services';
import { LOCAL_CREDENTIALS } from '../../local/stack';
import {
  GPS_MARKER,
  htmlPretendingToBeVideo,
  jpegWithMetadata,
  mp4Video,
  pngImage,
} from '../support/media-fixtures';

const BUCKET = 'upload-check-test';
const dataDir = await mkdtemp(join(tmpdir(), 'upload-check-'));
const s3Local = await startS3Local(dataDir, [BUCKET]);
// Function modules read their configuration when they load.
Object.assign(process.env, { MEDIA_BUCKET: BUCKET, S3_ENDPOINT: s3Local.endpoint });
const { processUpload, checkDeclaration } = await import('../../functions/shared/domain/upload-check');
const { requestUpload, getOwnMedia } = await import('../../functions/shared/domain/media');

const s3 = new S3Client({
  endpoint: s3Local.endpoint,
  forcePathStyle: true,
  region: 'us-east-1',
  credentials: LOCAL_CREDENTIALS,
});

afterAll(async () => {
  s3.destroy();
  await s3Local.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const put = (key: string, body: Buffer, contentType: string) =>
  s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }));
const read = async (key: string) => {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  } catch {
    return undefined;
  }
};

/** A pending upload as POST /media makes it, and the file landed in its quarantine key. */
async function pendingUpload(
  purpose: 'avatar' | 'attachment',
  contentType: string,
  body: Buffer,
  declaredSize = body.length,
) {
  const ownerId = ulid();
  const upload = await requestUpload(ownerId, { purpose, contentType, size: declaredSize });
  const quarantineKey = upload.upload.fields.key ?? '';
  await put(quarantineKey, body, contentType);
  return { ownerId, media: upload, quarantineKey, servedKey: upload.key };
}

describe('the upload check', () => {
  it('leaves objects outside quarantine alone', async () => {
    const key = `avatars/${ulid()}/${ulid()}`;
    await put(key, pngImage(), 'image/png');

    expect(await processUpload(key)).toBe('ignored');
    expect(await read(key)).toBeDefined();
  });

  it('deletes an object in quarantine that no pending upload of that owner asked for', async () => {
    const { ownerId, media } = await pendingUpload('avatar', 'image/png', pngImage());
    const unknown = `uploads/avatar/${ownerId}/${ulid()}`;
    const otherOwner = `uploads/avatar/${ulid()}/${media.id}`;
    const otherPurpose = `uploads/attachment/${ownerId}/${media.id}`;
    const malformed = `uploads/avatar/${ownerId}/not-an-id`;

    for (const key of [unknown, otherOwner, otherPurpose, malformed]) {
      await put(key, pngImage(), 'image/png');
      expect(await processUpload(key), key).toBe('discarded');
      expect(await read(key), key).toBeUndefined();
    }
    expect((await getOwnMedia(ownerId, media.id)).status).toBe('pending');
  });

  it('writes a passing file to its served key with the declared type and an inline disposition', async () => {
    const video = mp4Video(2048);
    const upload = await pendingUpload('attachment', 'video/mp4', video);

    expect(await processUpload(upload.quarantineKey)).toBe('ready');

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: upload.servedKey }));
    expect(head).toMatchObject({
      ContentType: 'video/mp4',
      ContentDisposition: 'inline',
      ContentLength: video.length,
    });
    expect((await read(upload.servedKey))?.equals(video)).toBe(true);
    expect(await read(upload.quarantineKey)).toBeUndefined();
    expect(await getOwnMedia(upload.ownerId, upload.media.id)).toMatchObject({
      status: 'ready',
      size: video.length,
    });
  });

  it('serves an image only as its copy without metadata', async () => {
    const jpeg = jpegWithMetadata();
    const upload = await pendingUpload('avatar', 'image/jpeg', jpeg);

    expect(await processUpload(upload.quarantineKey)).toBe('ready');

    const served = await read(upload.servedKey);
    expect(served?.includes(GPS_MARKER)).toBe(false);
    expect((await getOwnMedia(upload.ownerId, upload.media.id)).size).toBe(served?.length);
  });

  it('deletes whatever arrives for media that is already ready, and keeps serving the checked file', async () => {
    const png = pngImage(4);
    const upload = await pendingUpload('avatar', 'image/png', png);
    await processUpload(upload.quarantineKey);

    await put(upload.quarantineKey, htmlPretendingToBeVideo(), 'image/png');

    expect(await processUpload(upload.quarantineKey)).toBe('discarded');
    expect(await read(upload.quarantineKey)).toBeUndefined();
    expect((await read(upload.servedKey))?.equals(png)).toBe(true);
  });

  it('deletes whatever arrives for media that was rejected, and serves nothing', async () => {
    const upload = await pendingUpload('avatar', 'image/png', htmlPretendingToBeVideo());
    expect(await processUpload(upload.quarantineKey)).toBe('rejected');

    await put(upload.quarantineKey, pngImage(), 'image/png');

    expect(await processUpload(upload.quarantineKey)).toBe('discarded');
    expect(await read(upload.quarantineKey)).toBeUndefined();
    expect(await read(upload.servedKey)).toBeUndefined();
    expect((await getOwnMedia(upload.ownerId, upload.media.id)).status).toBe('rejected');
  });

  it.each([
    ['contents that are not the declared type', htmlPretendingToBeVideo(), 'not image/png'],
    ['an image whose structure does not parse', pngImage(8).subarray(0, 45), 'not a readable PNG'],
  ])('rejects %s, deletes it and serves nothing', async (_case, body, reason) => {
    const upload = await pendingUpload('attachment', 'image/png', body);

    expect(await processUpload(upload.quarantineKey)).toBe('rejected');

    expect(await getOwnMedia(upload.ownerId, upload.media.id)).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringContaining(reason),
    });
    expect(await read(upload.quarantineKey)).toBeUndefined();
    expect(await read(upload.servedKey)).toBeUndefined();
  });

  it('stops without a verdict when the quarantined object is already gone (another delivery took it)', async () => {
    const ownerId = ulid();
    const media = await requestUpload(ownerId, { purpose: 'avatar', contentType: 'image/png', size: 100 });

    expect(await processUpload(media.upload.fields.key ?? '')).toBe('superseded');
    expect((await getOwnMedia(ownerId, media.id)).status).toBe('pending');
  });

  it('refuses a stored object that breaks its declaration before reading it', async () => {
    const media = await requestUpload(ulid(), { purpose: 'avatar', contentType: 'image/png', size: 1000 });

    expect(checkDeclaration(media, { size: 1001, contentType: 'image/png' })).toMatch(/exceeds the declared/);
    expect(checkDeclaration(media, { size: 0, contentType: 'image/png' })).toMatch(/empty/);
    expect(checkDeclaration(media, { size: 10, contentType: 'text/html' })).toMatch(/stored as text\/html/);
    expect(checkDeclaration(media, { size: 10, contentType: undefined })).toMatch(/stored as no type/);
    expect(
      checkDeclaration(
        { ...media, declaredSize: 6 * 1024 * 1024 },
        { size: 6 * 1024 * 1024, contentType: 'image/png' },
      ),
    ).toMatch(/exceeds the limit/);
    expect(checkDeclaration(media, { size: 1000, contentType: 'image/png' })).toBeUndefined();
  });
});
