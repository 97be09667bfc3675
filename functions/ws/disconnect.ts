import { closeConnection } from '../shared/realtime/connections';
import { wsHandler } from '../shared/ws/handler';
import { disconnect as route } from '../shared/ws-routes';

export const handler = wsHandler(route, async (event) => {
  event.userId = await closeConnection(event.requestContext.connectionId);
  return { statusCode: 200 };
});
