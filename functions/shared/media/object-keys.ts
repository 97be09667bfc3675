/**
 * Where media objects live in the bucket. Clients upload into quarantine (`uploads/…`), which CloudFront never
 * serves; only the upload check writes a file that passed to its served key (`avatars/…`, `attachments/…`).
 * Plain data, no AWS imports: read by the functions, the stack (event filter, IAM, CloudFront behaviors, bucket
 * policy) and the local CDN.
 */
import type { MediaPurpose } from './media-types';

export const QUARANTINE_PREFIX = 'uploads/';
export const SERVED_PREFIXES = ['avatars/', 'attachments/'] as const;
/** Data exports (GDPR art. 20): never served by the CDN, only by presigned GETs for their owner. */
export const EXPORTS_PREFIX = 'exports/';

/** A user's data export file. */
export const exportObjectKey = (userId: string, exportId: string) =>
  `${EXPORTS_PREFIX}${userId}/${exportId}.json`;

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

/** Where the presigned POST puts the file: never served. */
export const uploadObjectKey = (purpose: MediaPurpose, ownerId: string, mediaId: string) =>
  `${QUARANTINE_PREFIX}${purpose}/${ownerId}/${mediaId}`;

/** Where a file that passed the upload check is served from. */
export const servedObjectKey = (purpose: MediaPurpose, ownerId: string, mediaId: string) =>
  `${purpose}s/${ownerId}/${mediaId}`;

const UPLOAD_KEY = new RegExp(`^${QUARANTINE_PREFIX}(avatar|attachment)/([^/]+)/(${ULID})$`);

/** The parts of a quarantine key, or undefined for any other key. */
export function parseUploadKey(
  key: string,
): { purpose: MediaPurpose; ownerId: string; mediaId: string } | undefined {
  const match = UPLOAD_KEY.exec(key);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { purpose: match[1] as MediaPurpose, ownerId: match[2], mediaId: match[3] };
}

/** Exactly the served keys we write (user and media ids are ULIDs): nothing else is ever served. */
export const SERVED_KEY = new RegExp(`^(avatars|attachments)/${ULID}/${ULID}$`);

/** The media id at the end of a served key (`avatars/<owner>/<id>`), or undefined. */
export const mediaIdOfServedKey = (key: string): string | undefined =>
  SERVED_KEY.test(key) ? key.slice(key.lastIndexOf('/') + 1) : undefined;
