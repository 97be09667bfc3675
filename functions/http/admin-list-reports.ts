import { listReports } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminListReports as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ query }) => ({
  body: await listReports(query.limit, query.cursor),
}));
