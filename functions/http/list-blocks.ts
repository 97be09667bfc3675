import { listBlocks } from '../shared/domain/blocks';
import { httpHandler } from '../shared/http/handler';
import { listBlocks as route } from '../shared/routes/blocks';

export const handler = httpHandler(route, async ({ query, callerId }) => ({
  body: await listBlocks(callerId, query),
}));
