/**
 * What may be uploaded, how large, and how to recognise each type from its first bytes. The declared type is
 * enforced by S3 through the POST policy; the leading bytes are checked after upload, since a policy cannot
 * see inside the file (a "video" that is really HTML is rejected there).
 */

export type MediaPurpose = 'avatar' | 'attachment';

const MB = 1024 * 1024;

/** Every content type any purpose accepts: the request schema's exact set. */
export const MEDIA_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
] as const;

export type MediaContentType = (typeof MEDIA_CONTENT_TYPES)[number];

// Maps, not plain objects: a lookup of "toString" or "__proto__" in an object literal finds Object.prototype's
// members, which once let such a "content type" through with any size.
export const MEDIA_LIMITS: Readonly<Record<MediaPurpose, ReadonlyMap<string, number>>> = {
  avatar: /* @__PURE__ */ new Map([
    ['image/jpeg', 5 * MB],
    ['image/png', 5 * MB],
    ['image/webp', 5 * MB],
  ]),
  attachment: /* @__PURE__ */ new Map([
    ['image/jpeg', 25 * MB],
    ['image/png', 25 * MB],
    ['image/webp', 25 * MB],
    ['image/gif', 25 * MB],
    ['video/mp4', 100 * MB],
    ['video/webm', 100 * MB],
    ['video/quicktime', 100 * MB],
  ]),
};

/** The largest upload of any purpose and type: the request schema's bound on `size`. */
// A literal, not `100 * MB`: esbuild cannot prove arithmetic pure, and would keep it in every bundle of the module.
export const MAX_UPLOAD_BYTES = 104_857_600;

export const maxSizeFor = (purpose: MediaPurpose, contentType: string): number | undefined =>
  MEDIA_LIMITS[purpose].get(contentType);

/** How many leading bytes the checks need. */
export const SNIFF_BYTES = 64;

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  Buffer.from(bytes.subarray(start, end)).toString('latin1');
const startsWith = (bytes: Uint8Array, signature: number[]) =>
  signature.every((byte, i) => bytes[i] === byte);

/** The content types the bytes are consistent with (empty when none of ours). */
export function detectContentTypes(bytes: Uint8Array): string[] {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return ['image/jpeg'];
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return ['image/png'];
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return ['image/gif'];
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return ['image/webp'];
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML: WebM declares its doctype early in the header; Matroska (.mkv) is not accepted.
    return ascii(bytes, 0, SNIFF_BYTES).includes('webm') ? ['video/webm'] : [];
  }
  const box = ascii(bytes, 4, 8);
  if (box === 'ftyp') {
    // ISO base media: QuickTime files name the 'qt  ' brand; anything else is MP4 family, which players of
    // .mov also read, so both video types accept it.
    return ascii(bytes, 8, 12) === 'qt  ' ? ['video/quicktime'] : ['video/mp4', 'video/quicktime'];
  }
  if (['moov', 'mdat', 'wide', 'free', 'skip'].includes(box)) return ['video/quicktime'];
  return [];
}
