import { mute } from '../shared/domain/mutes';
import { httpHandler } from '../shared/http/handler';
import { muteConversation as route } from '../shared/routes/mutes';

export const handler = httpHandler(route, async ({ params, body, callerId }) => ({
  body: await mute(callerId, params.id, body),
}));
