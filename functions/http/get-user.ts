import { getProfile } from '../shared/domain/users';
import { httpHandler } from '../shared/http/handler';
import { getUser as route } from '../shared/routes/users';

export const handler = httpHandler(route, async ({ params, callerId }) => ({
  body: await getProfile(params.id, callerId),
}));
