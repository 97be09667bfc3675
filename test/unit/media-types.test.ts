import { generateKeyPairSync } from 'node:crypto';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  detectContentTypes,
  MAX_UPLOAD_BYTES,
  MEDIA_LIMITS,
  maxSizeFor,
} from '../../functions/shared/media/media-types';
import { createMediaRequestSchema } from '../../functions/shared/schemas/media';
import { verifySignedUrl } from '../../local/cloudfront-verifier';
import { htmlPretendingToBeVideo, mp4Video, pngImage } from '../support/media-fixtures';

const bytes = (...values: (number | string)[]) =>
  Buffer.concat(
    values.map((value) => (typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from([value]))),
  );

describe('detectContentTypes', () => {
  it.each([
    ['a PNG', pngImage(), ['image/png']],
    ['a JPEG', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'JFIF'), ['image/jpeg']],
    ['a GIF', bytes('GIF89a', 1, 0, 1, 0), ['image/gif']],
    ['a WebP', bytes('RIFF', 0x24, 0, 0, 0, 'WEBPVP8 '), ['image/webp']],
    [
      'a WebM',
      bytes(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, 'webm'),
      ['video/webm'],
    ],
    ['an MP4', mp4Video(), ['video/mp4', 'video/quicktime']],
    ['a QuickTime movie', bytes(0, 0, 0, 0x14, 'ftyp', 'qt  ', 0, 0, 0, 0), ['video/quicktime']],
  ])('recognises %s by its leading bytes', (_name, data, expected) => {
    expect(detectContentTypes(data)).toEqual(expected);
  });

  it('recognises nothing in HTML, plain text, Matroska or an empty file', () => {
    expect(detectContentTypes(htmlPretendingToBeVideo())).toEqual([]);
    expect(detectContentTypes(Buffer.from('just some text'))).toEqual([]);
    expect(detectContentTypes(bytes(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 'matroska'))).toEqual([]);
    expect(detectContentTypes(new Uint8Array())).toEqual([]);
  });
});

describe('maxSizeFor', () => {
  it('allows avatars only as jpeg/png/webp up to 5 MB and attachments up to 25 MB (images) or 100 MB (video)', () => {
    expect(maxSizeFor('avatar', 'image/png')).toBe(5 * 1024 * 1024);
    expect(maxSizeFor('avatar', 'image/gif')).toBeUndefined();
    expect(maxSizeFor('avatar', 'video/mp4')).toBeUndefined();
    expect(maxSizeFor('attachment', 'image/gif')).toBe(25 * 1024 * 1024);
    expect(maxSizeFor('attachment', 'video/quicktime')).toBe(100 * 1024 * 1024);
    expect(maxSizeFor('attachment', 'application/pdf')).toBeUndefined();
  });
});

describe('the allowed content types', () => {
  const prototypeNames = [
    'toString',
    'constructor',
    'valueOf',
    '__proto__',
    'hasOwnProperty',
    'isPrototypeOf',
  ];

  it.each(prototypeNames)('know no limit for "%s" (no lookup reaches Object.prototype)', (name) => {
    expect(maxSizeFor('avatar', name)).toBeUndefined();
    expect(maxSizeFor('attachment', name)).toBeUndefined();
  });

  it.each(prototypeNames)('are an exact set in the request schema: "%s" is refused', (name) => {
    const parsed = v.safeParse(createMediaRequestSchema, {
      purpose: 'attachment',
      contentType: name,
      size: 10,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.issues?.map((issue) => v.getDotPath(issue))).toEqual(['contentType']);
  });

  it('bound the declared size in the schema by the largest limit of any type', () => {
    const largest = Math.max(...Object.values(MEDIA_LIMITS).flatMap((limits) => [...limits.values()]));
    expect(MAX_UPLOAD_BYTES).toBe(largest);
    const request = (size: number) =>
      v.safeParse(createMediaRequestSchema, { purpose: 'attachment', contentType: 'video/mp4', size });
    expect(request(MAX_UPLOAD_BYTES).success).toBe(true);
    expect(request(MAX_UPLOAD_BYTES + 1).issues?.map((issue) => v.getDotPath(issue))).toEqual(['size']);
    expect(request(50 * 1024 ** 3).success).toBe(false);
  });
});

describe('CloudFront signed URLs', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const now = new Date('2026-01-01T00:00:00Z');
  const inOneHour = now.getTime() / 1000 + 3600;
  const url = 'https://cdn.example/attachments/u/01ARZ3NDEKTSV4RRFFQ69G5FAV';

  const signUrl = (resource: string, expiresEpoch: number, key: string, keyPairId: string) =>
    getSignedUrl({ url: resource, keyPairId, privateKey: key, dateLessThan: new Date(expiresEpoch * 1000) });

  it("accepts a URL signed by AWS's CloudFront signer, with only URL-safe characters in the signature", () => {
    const signed = new URL(signUrl(url, inOneHour, privateKey, 'KEY1'));
    expect(signed.searchParams.get('Signature')).toMatch(/^[A-Za-z0-9~_-]+$/);
    expect(verifySignedUrl(signed, publicKey, 'KEY1', now)).toBe('valid');
  });

  it('calls a URL expired once its time has passed, and invalid when anything was changed', () => {
    const signed = new URL(signUrl(url, inOneHour, privateKey, 'KEY1'));
    expect(verifySignedUrl(signed, publicKey, 'KEY1', new Date(inOneHour * 1000 + 1))).toBe('expired');
    expect(verifySignedUrl(signed, publicKey, 'OTHER', now)).toBe('invalid');
    const otherPath = new URL(signed);
    otherPath.pathname = '/attachments/u/another';
    expect(verifySignedUrl(otherPath, publicKey, 'KEY1', now)).toBe('invalid');
    expect(verifySignedUrl(new URL(url), publicKey, 'KEY1', now)).toBe('unsigned');
  });
});
