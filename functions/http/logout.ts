import { logout } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { logout as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ body }) => {
  await logout(body.refreshToken);
  return undefined;
});
