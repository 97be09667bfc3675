/**
 * The pipeline of an administrators' route: the route's handler runs only once the caller's role has been
 * read from the table (domain/admin.ts `requireAdmin`, on every call: a revoked administrator loses access at
 * once); anyone else gets 403 `admin-required`. The check comes after the request is validated (a 400 says
 * nothing of who may call) and after the route's limit is counted.
 */
import { type AccountRecord, requireAdmin } from '../domain/admin';
import type { RouteDefinition } from '../route-definition';
import { type HttpReply, type HttpRequest, httpHandler } from './handler';

export function adminHandler<const R extends RouteDefinition & { auth: 'user' }>(
  route: R,
  run: (request: HttpRequest<R> & { admin: AccountRecord }) => Promise<HttpReply<R> | undefined>,
) {
  return httpHandler(route, async (request) =>
    run({ ...request, admin: await requireAdmin(request.callerId as string) }),
  );
}
