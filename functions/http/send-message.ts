import { send } from '../shared/domain/messages';
import { httpHandler } from '../shared/http/handler';
import { sendMessage as route } from '../shared/routes/messages';

export const handler = httpHandler(route, async ({ params, body, callerId }) => {
  const { message, created } = await send(callerId, params.id, body);
  return { status: created ? 201 : 200, body: message };
});
