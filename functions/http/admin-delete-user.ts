import { deleteUser } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminDeleteUser as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ admin, params }) => ({
  body: await deleteUser(admin, params.id),
}));
