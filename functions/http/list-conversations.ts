import { listForUser } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { listConversations as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ query, callerId }) => ({
  body: await listForUser(callerId, query.limit, query.cursor),
}));
