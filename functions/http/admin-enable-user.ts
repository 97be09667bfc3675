import { enableUser } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminEnableUser as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ admin, params }) => ({
  body: await enableUser(admin, params.id),
}));
