/**
 * The presigned S3 GET of data exports is signed without the S3 client: it must be the URL the SDK's own
 * presigner (`@aws-sdk/s3-request-presigner`) makes for the same object, credentials and time, signature and all.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { presignGetObject } from '../../functions/shared/aws/s3-presign-get';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2026-11-22T12:00:00Z');

const params = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('presignGetObject', () => {
  it.each([
    ['on AWS (virtual-hosted)', undefined],
    ['against a path-style endpoint (s3rver)', 'http://127.0.0.1:4568'],
  ])('signs a GET exactly as the SDK presigner does, %s', async (_, endpoint) => {
    const key = 'exports/01ARZ3NDEKTSV4RRFFQ69G5FAV/01BX5ZZKBKACTAV9WEVGEMMVRZ.json';
    const disposition = 'attachment; filename="chat-export.json"';
    const s3 = new S3Client({
      region: 'eu-west-1',
      credentials,
      // A presigned link is opened by a browser, which sends and validates no checksum: the SDK would add both.
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    });
    const expected = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: 'chat-media', Key: key, ResponseContentDisposition: disposition }),
      { expiresIn: 900, signingDate },
    );

    const ours = await presignGetObject({
      bucket: 'chat-media',
      key,
      region: 'eu-west-1',
      endpoint,
      expiresInSeconds: 900,
      contentDisposition: disposition,
      credentials,
      signingDate,
    });

    expect(new URL(ours).origin + new URL(ours).pathname).toBe(
      new URL(expected).origin + new URL(expected).pathname,
    );
    expect(params(ours)).toEqual(params(expected));
  });
});
