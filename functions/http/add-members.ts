import { addMembers } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { addMembers as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ params, body, callerId }) => ({
  body: await addMembers(callerId, params.id, body.userIds),
}));
