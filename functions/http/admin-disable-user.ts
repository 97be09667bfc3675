import { disableUser } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminDisableUser as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ admin, params }) => ({
  body: await disableUser(admin, params.id),
}));
