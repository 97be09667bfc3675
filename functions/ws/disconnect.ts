import { closeConnection } from '../shared/realtime/connections';
import { wsHandler } from '../shared/ws/handler';
import { disconnect as route } from '../shared/ws-routes';

export const handler = wsHandler(route, async (event) => {
  event.userId = await closeConnection(
    event.requestContext.connectionId,
    new Date(event.requestContext.requestTimeEpoch),
  );
  return { statusCode: 200 };
});
