import { replies } from '../shared/domain/messages';
import { httpHandler } from '../shared/http/handler';
import { listReplies as route } from '../shared/routes/messages';

export const handler = httpHandler(route, async ({ params, query, callerId }) => ({
  body: await replies(callerId, params.id, params.messageId, query),
}));
