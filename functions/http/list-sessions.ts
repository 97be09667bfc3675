import { listSessions } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { listSessions as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ callerId, sessionId }) => ({
  body: await listSessions(callerId, sessionId),
}));
