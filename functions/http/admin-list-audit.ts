import { listAudit } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminListAudit as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ query }) => ({
  body: await listAudit(query.limit, query.cursor),
}));
