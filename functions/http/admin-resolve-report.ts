import { resolveReport } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminResolveReport as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ admin, params, body }) => ({
  body: await resolveReport(admin, params.id, body.action),
}));
