import { changeRole } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { changeMemberRole as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ params, body, callerId }) => ({
  body: await changeRole(callerId, params.id, params.userId, body.role),
}));
