import { block } from '../shared/domain/blocks';
import { httpHandler } from '../shared/http/handler';
import { blockUser as route } from '../shared/routes/blocks';

export const handler = httpHandler(route, async ({ params, callerId }) => {
  await block(callerId, params.userId);
  return undefined;
});
