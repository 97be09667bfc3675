import { getOwnMedia } from '../shared/domain/media';
import { httpHandler } from '../shared/http/handler';
import { getMedia as route } from '../shared/routes/media';

export const handler = httpHandler(route, async ({ params, callerId }) => ({
  body: await getOwnMedia(callerId, params.id),
}));
