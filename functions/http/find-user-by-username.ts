import { findByUsername } from '../shared/domain/users';
import { httpHandler } from '../shared/http/handler';
import { findUserByUsername as route } from '../shared/routes/users';

export const handler = httpHandler(route, async ({ params, callerId }) => ({
  body: await findByUsername(params.username, callerId),
}));
