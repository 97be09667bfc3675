import { sync } from '../shared/domain/sync';
import { httpHandler } from '../shared/http/handler';
import { sync as route } from '../shared/routes/sync';

export const handler = httpHandler(route, async ({ query, callerId }) => ({
  body: await sync(callerId, query),
}));
