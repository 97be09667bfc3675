import { requestUpload } from '../shared/domain/media';
import { uploadQuota } from '../shared/domain/upload-quota';
import { httpHandler } from '../shared/http/handler';
import { mediaStorage } from '../shared/media/storage';
import { createMedia as route } from '../shared/routes/media';

export const handler = httpHandler(route, async ({ body, callerId, limits }) => {
  const quota = uploadQuota(limits, callerId, body.size, mediaStorage().uploadUrlTtlSeconds);
  const media = await requestUpload(callerId, body, new Date(), quota);
  return { body: media, headers: { location: `/media/${media.id}`, 'cache-control': 'no-store' } };
});
