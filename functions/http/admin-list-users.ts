import { searchUsers } from '../shared/domain/admin';
import { adminHandler } from '../shared/http/admin-handler';
import { adminListUsers as route } from '../shared/routes/admin';

export const handler = adminHandler(route, async ({ query }) => ({
  body: await searchUsers(query.query, query.limit, query.cursor),
}));
