import { readAccessToken } from '../shared/auth/access-tokens';
import { sessionExists } from '../shared/data/sessions-store';
import { UnauthorizedError } from '../shared/errors';
import { openConnection } from '../shared/realtime/connections';
import { wsHandler } from '../shared/ws/handler';
import { handshakeOf } from '../shared/ws/handshake';
import { connect as route } from '../shared/ws-routes';

// A 401 (UnauthorizedError) from here makes API Gateway refuse the handshake: no connection ever exists.
export const handler = wsHandler(route, async (event) => {
  const { token, subprotocol } = handshakeOf(event.headers, event.queryStringParameters);
  const claims = readAccessToken(token);
  event.userId = claims.sub;
  // One read per connect: an access token of an ended session cannot open sockets (HTTP calls still work
  // with it until it expires, docs/architecture.md "Security"). Tokens from before sessions have no sid.
  const sessionId = typeof claims.sid === 'string' ? claims.sid : undefined;
  if (sessionId && !(await sessionExists(claims.sub, sessionId))) {
    throw new UnauthorizedError('The session of this access token has ended. Log in again.');
  }
  // The one write of a connect: the owner item. Registering it for events, the per-user limit and presence
  // follow from its stream record (realtime/connections.ts).
  await openConnection(
    event.requestContext.connectionId,
    {
      userId: claims.sub,
      tokenExpiresAt: claims.exp * 1000,
      ...(sessionId ? { sessionId } : {}),
    },
    new Date(event.requestContext.requestTimeEpoch),
  );
  return { statusCode: 200, ...(subprotocol ? { headers: { 'Sec-WebSocket-Protocol': subprotocol } } : {}) };
});
