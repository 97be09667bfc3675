import { closeConnection } from '../shared/realtime/connections';
import { wsHandler } from '../shared/ws/handler';
import { disconnect as route } from '../shared/ws-routes';

export const handler = wsHandler(route, async (event) => {
  // The one write of a disconnect: deleting the owner item; the stream forgets the connection and updates
  // presence (realtime/connections.ts).
  event.userId = await closeConnection(event.requestContext.connectionId);
  return { statusCode: 200 };
});
