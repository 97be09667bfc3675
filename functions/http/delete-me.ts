import { deleteOwnAccount } from '../shared/domain/account-deletion';
import { httpHandler } from '../shared/http/handler';
import { deleteMe as route } from '../shared/routes/account-data';

export const handler = httpHandler(route, async ({ callerId, body, limits }) => ({
  body: await deleteOwnAccount(callerId, body.password, limits),
}));
