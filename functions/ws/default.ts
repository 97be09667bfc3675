import { eventBody, wsHandler } from '../shared/ws/handler';
import { fallback as route, webSocketRoutes } from '../shared/ws-routes';

const actions = webSocketRoutes.map((known) => known.routeKey).filter((key) => !key.startsWith('$'));

// A two-way route: API Gateway sends here every message whose `action` names no route (or is not JSON).
export const handler = wsHandler(route, async () => ({
  statusCode: 400,
  body: eventBody({
    type: 'error',
    message: `Unknown action. Send JSON with "action" set to one of: ${actions.map((a) => `"${a}"`).join(', ')}.`,
  }),
}));
