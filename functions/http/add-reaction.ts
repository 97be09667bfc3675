import { setReaction } from '../shared/domain/reactions';
import { httpHandler } from '../shared/http/handler';
import { addReaction as route } from '../shared/routes/reactions';

export const handler = httpHandler(route, async ({ params, callerId }) => {
  await setReaction(callerId, params.id, params.messageId, params.emoji, true);
  return undefined;
});
