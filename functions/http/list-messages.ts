import { history } from '../shared/domain/messages';
import { httpHandler } from '../shared/http/handler';
import { listMessages as route } from '../shared/routes/messages';

export const handler = httpHandler(route, async ({ params, query, callerId }) => ({
  body: await history(callerId, params.id, query),
}));
