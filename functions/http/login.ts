import { withLoginAttempt } from '../shared/domain/login-attempts';
import { login } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { login as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ body, limits }) => ({
  body: await withLoginAttempt(limits, body.username, () => login(body.username, body.password)),
  headers: { 'cache-control': 'no-store' },
}));
