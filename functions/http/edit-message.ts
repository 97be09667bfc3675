import { edit } from '../shared/domain/messages';
import { httpHandler } from '../shared/http/handler';
import { editMessage as route } from '../shared/routes/messages';

export const handler = httpHandler(route, async ({ params, body, callerId }) => ({
  body: await edit(callerId, params.id, params.messageId, body.text),
}));
