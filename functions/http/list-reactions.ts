import { listReactors } from '../shared/domain/reactions';
import { httpHandler } from '../shared/http/handler';
import { listReactions as route } from '../shared/routes/reactions';

export const handler = httpHandler(route, async ({ params, query, callerId }) => ({
  body: await listReactors(callerId, params.id, params.messageId, params.emoji, query),
}));
