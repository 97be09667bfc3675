import { removeMember } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { removeMember as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ params, callerId }) => {
  await removeMember(callerId, params.id, params.userId);
  return undefined;
});
