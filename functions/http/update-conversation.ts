import { rename } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { updateConversation as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ params, body, callerId }) => ({
  body: await rename(callerId, params.id, body.name),
}));
