import { unmute } from '../shared/domain/mutes';
import { httpHandler } from '../shared/http/handler';
import { unmuteConversation as route } from '../shared/routes/mutes';

export const handler = httpHandler(route, async ({ params, callerId }) => {
  await unmute(callerId, params.id);
  return undefined;
});
