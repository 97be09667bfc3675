import { signUp } from '../shared/domain/users';
import { httpHandler } from '../shared/http/handler';
import { signUp as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ body }) => {
  const user = await signUp(body);
  return { body: user, headers: { location: `/users/${user.id}` } };
});
