import { endAllSessions } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { logoutAll as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ callerId }) => {
  await endAllSessions(callerId);
  return undefined;
});
