/**
 * Upload quotas (issue 8): at most 20 uploads pending at once and 1 GB declared per day, per user. Both in
 * one item and one conditional write (data/limits-store.ts). A pending upload stops counting when its file
 * arrives (the upload check releases it) or when its upload URL has expired unused: expired ones are
 * cleared only when the list is full, so the common path stays one write.
 */
import { releasePendingUploads, reserveUpload, type UploadQuota } from '../data/limits-store';
import { limitSettings } from '../limits/config';
import type { RequestLimits } from '../limits/fields';
import { createMedia } from '../routes/media';
import { ulidTime } from './ids';

/** After the URL expires, an upload already under way may still land: a grace of up to a minute. */
const MAX_GRACE_SECONDS = 60;

const dayOf = (userId: string, epochSeconds: number, windowSeconds: number): UploadQuota => {
  const dayStart = Math.floor(epochSeconds / windowSeconds) * windowSeconds;
  return { userId, dayStart, expiresAt: dayStart + windowSeconds };
};

/**
 * Counts a new upload of `bytes` against the caller's quotas, or throws 429. Returned as the step
 * `requestUpload` runs once it has the media id.
 */
export function uploadQuota(
  limits: RequestLimits,
  userId: string,
  bytes: number,
  uploadUrlTtlSeconds: number,
  now = new Date(),
): (mediaId: string) => Promise<void> {
  return async (mediaId) => {
    const pendingLimit = limits.configured('pending-uploads');
    const bytesLimit = limits.configured('upload-bytes');
    if (!pendingLimit || !bytesLimit) return; // limits are off
    const nowSeconds = now.getTime() / 1000;
    const quota = dayOf(userId, nowSeconds, bytesLimit.windowSeconds);
    const dayReset = Math.max(1, Math.ceil(quota.expiresAt - nowSeconds));
    const grace = Math.min(MAX_GRACE_SECONDS, uploadUrlTtlSeconds);
    const urlExpiry = (id: string) => ulidTime(id) / 1000 + uploadUrlTtlSeconds + grace;
    const max = { pending: pendingLimit.limit, bytes: bytesLimit.limit };
    for (let attempt = 1; ; attempt++) {
      const result = await reserveUpload(quota, { mediaId, bytes }, max);
      if (result.taken) {
        limits.report({
          limit: pendingLimit,
          remaining: max.pending - result.pending,
          resetSeconds: dayReset,
        });
        limits.report({ limit: bytesLimit, remaining: max.bytes - result.bytes, resetSeconds: dayReset });
        return;
      }
      if (result.bytes + bytes > max.bytes) {
        limits.report(
          { limit: bytesLimit, remaining: Math.max(0, max.bytes - result.bytes), resetSeconds: dayReset },
          {
            detail: `Limit "upload-bytes" reached: at most ${max.bytes} bytes of uploads per day (${result.bytes} declared today). Retry after ${dayReset} seconds.`,
          },
        );
      }
      const expired = result.pendingIds.filter((id) => urlExpiry(id) <= nowSeconds);
      if (expired.length === 0 || attempt > 1) {
        const soonest = Math.min(...result.pendingIds.map(urlExpiry));
        const resetSeconds = Math.max(1, Math.ceil(Number.isFinite(soonest) ? soonest - nowSeconds : 1));
        limits.report(
          { limit: pendingLimit, remaining: 0, resetSeconds },
          {
            detail: `Limit "pending-uploads" reached: at most ${max.pending} uploads pending at once. Finish or abandon one; an unused upload URL stops counting when it expires (in ${resetSeconds} seconds at the latest).`,
          },
        );
      }
      await releasePendingUploads(quota, expired);
    }
  };
}

/**
 * The upload check's side: the file arrived, so the upload is no longer pending. The quota's window is the
 * create-media function's (the stack gives both functions the same override).
 */
export async function uploadArrived(media: { ownerId: string; id: string }): Promise<void> {
  const declared = createMedia.limits.find((limit) => limit.name === 'upload-bytes');
  if (!declared || !limitSettings.enabled) return;
  const { windowSeconds } = limitSettings.effective(declared);
  const { dayStart } = dayOf(media.ownerId, ulidTime(media.id) / 1000, windowSeconds);
  await releasePendingUploads({ userId: media.ownerId, dayStart }, [media.id]);
}
