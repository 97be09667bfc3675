import { requestUpload } from '../shared/domain/media';
import { httpHandler } from '../shared/http/handler';
import { createMedia as route } from '../shared/routes/media';

export const handler = httpHandler(route, async ({ body, callerId }) => {
  const media = await requestUpload(callerId, body);
  return { body: media, headers: { location: `/media/${media.id}`, 'cache-control': 'no-store' } };
});
