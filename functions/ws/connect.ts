import { verifyAccessToken } from '../shared/auth/access-tokens';
import { openConnection } from '../shared/realtime/connections';
import { wsHandler } from '../shared/ws/handler';
import { handshakeOf } from '../shared/ws/handshake';
import { connect as route } from '../shared/ws-routes';

// A 401 (UnauthorizedError) from here makes API Gateway refuse the handshake: no connection ever exists.
export const handler = wsHandler(route, async (event) => {
  const { token, subprotocol } = handshakeOf(event.headers, event.queryStringParameters);
  const userId = await verifyAccessToken(token);
  event.userId = userId;
  await openConnection(
    event.requestContext.connectionId,
    userId,
    new Date(event.requestContext.requestTimeEpoch),
  );
  return { statusCode: 200, ...(subprotocol ? { headers: { 'Sec-WebSocket-Protocol': subprotocol } } : {}) };
});
