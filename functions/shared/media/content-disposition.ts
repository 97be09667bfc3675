/**
 * The Content-Disposition stored on each served object (S3 returns it, CloudFront passes it on). Images and
 * videos that browsers show inline get `inline`; anything else is a download with the uploader's file name,
 * made safe: CloudFront's response-headers policy adds `attachment` to any object that has no disposition.
 */
import type { MediaContentType } from './media-types';

const INLINE_TYPES: ReadonlySet<string> = new Set<MediaContentType>([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
]);

export function contentDispositionFor(contentType: string, fileName: string | null | undefined): string {
  return INLINE_TYPES.has(contentType) ? 'inline' : attachmentDisposition(fileName);
}

/** The most UTF-8 bytes of a file name we put in a header (about 3x that once percent-encoded). */
export const MAX_FILE_NAME_BYTES = 150;
const MAX_EXTENSION_LENGTH = 16;
const FALLBACK_NAME = 'file';

// C0/C1 controls and DEL (header injection, terminal tricks), bidi embeddings, overrides, isolates and marks
// (`invoice\u202Efdp.exe` shows as "invoiceexe.pdf"), zero-width space and BOM.
const UNSAFE_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu;

/**
 * The uploader's file name reduced to something safe to show and save: the last path segment only, NFC, no
 * control or bidi characters, no lone surrogates, no leading dots, at most MAX_FILE_NAME_BYTES of UTF-8 (the
 * extension kept), and never empty.
 */
export function safeFileName(name: string | null | undefined): string {
  const wellFormed = [...(name ?? '')]
    .filter((character) => {
      const code = character.codePointAt(0) ?? 0;
      return code < 0xd800 || code > 0xdfff; // a lone surrogate iterates as one unpaired code unit
    })
    .join('')
    .normalize('NFC')
    .replace(UNSAFE_CHARACTERS, '');
  const lastSegment = wellFormed.split(/[/\\]/).findLast((segment) => segment.trim() !== '') ?? '';
  const cleaned = lastSegment.trim().replace(/^[.\s]+/, '');
  return cleaned === '' ? FALLBACK_NAME : truncateKeepingExtension(cleaned);
}

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

function truncateKeepingExtension(name: string): string {
  if (utf8Length(name) <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION_LENGTH ? name.slice(dot) : '';
  let stem = '';
  for (const character of name.slice(0, name.length - extension.length)) {
    if (utf8Length(stem + character) + utf8Length(extension) > MAX_FILE_NAME_BYTES) break;
    stem += character;
  }
  return (stem.trimEnd() || FALLBACK_NAME) + extension;
}

// RFC 8187 attr-char: everything else is percent-encoded (encodeURIComponent would leave ' ( ) * unescaped).
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

const encodeRfc8187 = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const character = String.fromCharCode(byte);
      return ATTR_CHAR.test(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>` (RFC 6266): browsers
 * that read `filename*` get the real name, older ones an ASCII approximation. The value is printable ASCII
 * only, so it is a valid header and S3 stores it as given.
 */
export function attachmentDisposition(fileName: string | null | undefined): string {
  const name = safeFileName(fileName);
  // Printable ASCII without the quoted-string specials and '%' (some browsers percent-decode `filename`).
  const fallback = name.replace(/[^\x20-\x7E]|["\\%]/gu, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc8187(name)}`;
}
