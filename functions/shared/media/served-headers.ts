/**
 * Response headers on every user file the CDN serves: CloudFront's response-headers policy
 * (lib/constructs/media.ts) and the local CDN (local/cdn.ts) both set these. A file is never sniffed into
 * another type, never runs as a page (no scripts, plugins, forms or same-origin access even when opened
 * directly), and downloads unless the object itself says `inline` (the upload check stores the disposition
 * on each served object, see content-disposition.ts).
 */
export const SERVED_FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;

/** Used when the object carries no Content-Disposition of its own. */
export const DEFAULT_CONTENT_DISPOSITION = 'attachment';
