import { markRead } from '../shared/domain/messages';
import { httpHandler } from '../shared/http/handler';
import { markRead as route } from '../shared/routes/messages';

export const handler = httpHandler(route, async ({ params, body, callerId }) => ({
  body: await markRead(callerId, params.id, body.messageId),
}));
