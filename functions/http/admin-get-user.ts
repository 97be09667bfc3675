import { userDetails } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminGetUser as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ params }) => ({ body: await userDetails(params.id) }));
