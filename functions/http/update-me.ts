import { updateProfile } from '../shared/domain/users';
import { httpHandler } from '../shared/http/handler';
import { updateMe as route } from '../shared/routes/users';

export const handler = httpHandler(route, async ({ callerId, body }) => ({
  body: await updateProfile(callerId, body),
}));
