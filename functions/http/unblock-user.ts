import { unblock } from '../shared/domain/blocks';
import { httpHandler } from '../shared/http/handler';
import { unblockUser as route } from '../shared/routes/blocks';

export const handler = httpHandler(route, async ({ params, callerId }) => {
  await unblock(callerId, params.userId);
  return undefined;
});
