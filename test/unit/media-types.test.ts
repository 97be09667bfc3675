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
import {
  htmlPretendingToBeVideo,
  mp4Video,
  pdfDocument,
  pngImage,
  wavAudio,
  zipArchive,
} from '../support/media-fixtures';

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
      ['video/webm', 'audio/webm'],
    ],
    ['an MP4', mp4Video(), ['video/mp4', 'video/quicktime', 'audio/mp4']],
    ['a QuickTime movie', bytes(0, 0, 0, 0x14, 'ftyp', 'qt  ', 0, 0, 0, 0), ['video/quicktime']],
    ['an M4A voice note', bytes(0, 0, 0, 0x20, 'ftyp', 'M4A ', 0, 0, 0, 0), ['audio/mp4']],
    ['a WAV', wavAudio(10), ['audio/wav']],
    ['an Ogg (Opus or Vorbis)', bytes('OggS', 0, 2, 0, 0), ['audio/ogg']],
    ['an MP3 with an ID3 tag', bytes('ID3', 4, 0, 0, 0, 0, 0, 0), ['audio/mpeg']],
    ['an MP3 frame without a tag', bytes(0xff, 0xfb, 0x90, 0x64), ['audio/mpeg']],
    ['raw AAC (ADTS)', bytes(0xff, 0xf1, 0x50, 0x80), ['audio/aac']],
    ['a PDF', pdfDocument(), ['application/pdf']],
    [
      'a zip (also the container of Office documents)',
      zipArchive(),
      [
        'application/zip',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      ],
    ],
    ['UTF-8 text', Buffer.from('Grüße, 世界 👋\n\tindented\r\n'), ['text/plain']],
    ['HTML (as text: it is served as a sandboxed download)', htmlPretendingToBeVideo(), ['text/plain']],
  ])('recognises %s by its leading bytes', (_name, data, expected) => {
    expect(detectContentTypes(data)).toEqual(expected);
  });

  it('accepts text whose leading bytes end inside a multi-byte character', () => {
    const text = Buffer.from('ab€', 'utf8'); // € is three bytes
    expect(detectContentTypes(text.subarray(0, text.length - 1))).toEqual(['text/plain']);
  });

  it('takes text that starts like an ISO box or an ID3 tag for text', () => {
    expect(detectContentTypes(Buffer.from("I'm free on Sunday, see you then.\n"))).toEqual(['text/plain']);
    expect(detectContentTypes(Buffer.from('Ok, skip the intro.\n'))).toEqual(['text/plain']);
    expect(detectContentTypes(Buffer.from('ID3 tags to fix:\n- artist\n'))).toEqual(['text/plain']);
  });

  it('recognises nothing in binary that is not one of ours, Matroska, or an empty file', () => {
    expect(detectContentTypes(bytes('MZ', 0x90, 0, 3, 0, 0, 0))).toEqual([]); // a Windows executable
    expect(detectContentTypes(bytes('plain', 0xc3, 0x28, 'text'))).toEqual([]); // invalid UTF-8
    expect(detectContentTypes(bytes(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 'matroska'))).toEqual([]);
    expect(detectContentTypes(new Uint8Array())).toEqual([]);
  });
});

describe('maxSizeFor', () => {
  it('allows avatars only as jpeg/png/webp up to 5 MB and image attachments up to 25 MB, video 100 MB', () => {
    expect(maxSizeFor('avatar', 'image/png')).toBe(5 * 1024 * 1024);
    expect(maxSizeFor('avatar', 'image/gif')).toBeUndefined();
    expect(maxSizeFor('avatar', 'video/mp4')).toBeUndefined();
    expect(maxSizeFor('attachment', 'image/gif')).toBe(25 * 1024 * 1024);
    expect(maxSizeFor('attachment', 'video/quicktime')).toBe(100 * 1024 * 1024);
    expect(maxSizeFor('attachment', 'application/x-msdownload')).toBeUndefined();
  });

  it('allows documents, archives and audio as attachments up to 100 MB, never as avatars', () => {
    for (const type of ['application/pdf', 'text/plain', 'application/zip', 'audio/mpeg', 'audio/wav']) {
      expect(maxSizeFor('attachment', type)).toBe(100 * 1024 * 1024);
      expect(maxSizeFor('avatar', type)).toBeUndefined();
    }
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
