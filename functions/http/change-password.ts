import { changePassword } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { changePassword as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ callerId, sessionId, body }) => {
  await changePassword(callerId, sessionId, body.currentPassword, body.newPassword);
  return undefined;
});
