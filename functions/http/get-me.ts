import { getProfile } from '../shared/domain/users';
import { httpHandler } from '../shared/http/handler';
import { getMe as route } from '../shared/routes/users';

export const handler = httpHandler(route, async ({ callerId }) => ({
  body: await getProfile(callerId, callerId),
}));
