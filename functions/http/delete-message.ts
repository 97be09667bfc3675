import { remove } from '../shared/domain/messages';
import { httpHandler } from '../shared/http/handler';
import { deleteMessage as route } from '../shared/routes/messages';

export const handler = httpHandler(route, async ({ params, callerId }) => {
  await remove(callerId, params.id, params.messageId);
  return undefined;
});
