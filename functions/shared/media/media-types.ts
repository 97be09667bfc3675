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
  'application/pdf',
  'text/plain',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/ogg',
  'audio/webm',
  'audio/wav',
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
    ['application/pdf', 100 * MB],
    ['text/plain', 100 * MB],
    ['application/zip', 100 * MB],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 100 * MB],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 100 * MB],
    ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 100 * MB],
    ['audio/mpeg', 100 * MB],
    ['audio/mp4', 100 * MB],
    ['audio/aac', 100 * MB],
    ['audio/ogg', 100 * MB],
    ['audio/webm', 100 * MB],
    ['audio/wav', 100 * MB],
  ]),
};

/** The largest upload of any purpose and type: the request schema's bound on `size`. */
// A literal, not `100 * MB`: esbuild cannot prove arithmetic pure, and would keep it in every bundle of the module.
export const MAX_UPLOAD_BYTES = 104_857_600;

export const maxSizeFor = (purpose: MediaPurpose, contentType: string): number | undefined =>
  MEDIA_LIMITS[purpose].get(contentType);

/** How many leading bytes the checks read: enough to tell plain text from binary with some confidence. */
export const SNIFF_BYTES = 512;

/** Office Open XML documents are zip archives; their inner structure is not checked (see docs). */
const ZIP_CONTAINER_TYPES = [
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  Buffer.from(bytes.subarray(start, end)).toString('latin1');
const startsWith = (bytes: Uint8Array, signature: number[]) =>
  signature.every((byte, i) => bytes[i] === byte);

// C0 controls other than tab, line feed, form feed and carriage return, and DEL: binary, not text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const BINARY_CHARACTERS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/u;

/**
 * Plain text is UTF-8 (or ASCII) without binary control characters. The leading bytes may end inside a
 * multi-byte character, so up to three trailing bytes of an incomplete sequence are forgiven.
 */
function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let cut = 0; cut <= Math.min(3, bytes.length - 1); cut++) {
    try {
      const text = decoder.decode(bytes.subarray(0, bytes.length - cut));
      return !BINARY_CHARACTERS.test(text);
    } catch {
      // not valid UTF-8 up to here: try without a possibly truncated last character
    }
  }
  return false;
}

/** MPEG audio (MP3) frame header, or ADTS (raw AAC): an 11-bit (12 for ADTS) sync word and valid fields. */
const isMpegAudioFrame = (bytes: Uint8Array) =>
  bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0 && ((bytes[1] ?? 0) & 0x06) !== 0;
const isAdtsFrame = (bytes: Uint8Array) => bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xf6) === 0xf0;

/** The content types the bytes are consistent with (empty when none of ours). */
export function detectContentTypes(bytes: Uint8Array): string[] {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return ['image/jpeg'];
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return ['image/png'];
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return ['image/gif'];
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return ['image/webp'];
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WAVE') return ['audio/wav'];
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML: WebM declares its doctype early in the header; Matroska (.mkv) is not accepted. The container
    // says nothing about whether there is a picture, so a WebM is acceptable as video or as audio.
    return ascii(bytes, 0, 64).includes('webm') ? ['video/webm', 'audio/webm'] : [];
  }
  // An ISO box and an ID3 tag start with printable characters a text file may start with too ("I'm free…",
  // "ID3 tags…"), but a real one has binary right there (the box's size before, ID3's version after): text
  // that matches is text.
  const text = isPlainText(bytes);
  const box = text ? '' : ascii(bytes, 4, 8);
  if (box === 'ftyp') {
    // ISO base media: QuickTime files name the 'qt  ' brand; anything else is MP4 family, which players of
    // .mov also read, so both video types accept it, and M4A audio is the same container.
    const brand = ascii(bytes, 8, 12);
    if (brand === 'qt  ') return ['video/quicktime'];
    if (brand === 'M4A ' || brand === 'M4B ') return ['audio/mp4'];
    return ['video/mp4', 'video/quicktime', 'audio/mp4'];
  }
  if (['moov', 'mdat', 'wide', 'free', 'skip'].includes(box)) return ['video/quicktime'];
  if (ascii(bytes, 0, 5) === '%PDF-') return ['application/pdf'];
  // A local file header, or the end-of-central-directory record of an empty archive.
  if (ascii(bytes, 0, 4) === 'PK\x03\x04' || ascii(bytes, 0, 4) === 'PK\x05\x06') return ZIP_CONTAINER_TYPES;
  if (ascii(bytes, 0, 4) === 'OggS') return ['audio/ogg'];
  if ((ascii(bytes, 0, 3) === 'ID3' && !text) || isMpegAudioFrame(bytes)) return ['audio/mpeg'];
  if (isAdtsFrame(bytes)) return ['audio/aac'];
  if (text) return ['text/plain'];
  return [];
}
