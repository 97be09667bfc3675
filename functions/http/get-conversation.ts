import { getDetails } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { getConversation as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ params, callerId }) => ({
  body: await getDetails(callerId, params.id),
}));
