import { readAccessToken } from '../shared/auth/access-tokens';
import { managementApiSender } from '../shared/realtime/connection-sender';
import { openConnection } from '../shared/realtime/connections';
import { wsHandler } from '../shared/ws/handler';
import { handshakeOf } from '../shared/ws/handshake';
import { connect as route } from '../shared/ws-routes';

// A 401 (UnauthorizedError) from here makes API Gateway refuse the handshake: no connection ever exists.
export const handler = wsHandler(route, async (event) => {
  const sender = managementApiSender();
  if (!sender) throw new Error('Invalid configuration: WEBSOCKET_CALLBACK_URL must be set');
  const { token, subprotocol } = handshakeOf(event.headers, event.queryStringParameters);
  const claims = readAccessToken(token);
  event.userId = claims.sub;
  await openConnection(
    event.requestContext.connectionId,
    {
      userId: claims.sub,
      tokenExpiresAt: claims.exp * 1000,
      ...(typeof claims.sid === 'string' ? { sessionId: claims.sid } : {}),
    },
    { sender },
    new Date(event.requestContext.requestTimeEpoch),
  );
  return { statusCode: 200, ...(subprotocol ? { headers: { 'Sec-WebSocket-Protocol': subprotocol } } : {}) };
});
