/** The S3 client and bucket for media, created once. The endpoint comes from configuration (s3rver locally). */
import { S3Client } from '@aws-sdk/client-s3';
import { config } from '../config';

export function mediaStorage() {
  const media = config.media;
  if (!media) throw new Error('Invalid configuration: MEDIA_BUCKET is not set');
  client ??= new S3Client({
    ...(media.s3Endpoint ? { endpoint: media.s3Endpoint, forcePathStyle: true } : {}),
    // Presigned uploads are signed for the bucket's region, which is not this one in a secondary region.
    ...(media.region ? { region: media.region } : {}),
    maxAttempts: 3,
  });
  return { s3: client, bucket: media.bucket, uploadUrlTtlSeconds: media.uploadUrlTtlSeconds };
}

let client: S3Client | undefined;
