import { removeMessage } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminRemoveMessage as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ admin, params }) => {
  await removeMessage(admin, params.id, params.messageId);
  return undefined;
});
