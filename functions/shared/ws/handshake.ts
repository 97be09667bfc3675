/**
 * Where a WebSocket client puts its access token. Browsers cannot set headers on a WebSocket, so it comes in
 * the URL (`?token=`) or as a subprotocol: `new WebSocket(url, ['bearer', token])`, to which the server
 * answers by selecting `bearer` (a browser drops a connection whose server selects none of its offers).
 */
import { UnauthorizedError } from '../errors';

export const BEARER_SUBPROTOCOL = 'bearer';

/** API Gateway passes $connect headers as the client spelled them. */
function header(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export interface Handshake {
  token: string;
  /** Echoed as `Sec-WebSocket-Protocol` when the client offered the bearer subprotocol. */
  subprotocol: string | undefined;
}

export function handshakeOf(
  headers: Record<string, string | undefined> | undefined,
  query: Record<string, string | undefined> | undefined,
): Handshake {
  const offered = (header(headers, 'sec-websocket-protocol') ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter(Boolean);
  const bearerAt = offered.indexOf(BEARER_SUBPROTOCOL);
  const fromProtocol = bearerAt >= 0 ? offered[bearerAt + 1] : undefined;
  const fromQuery = query?.token?.trim() || undefined;
  if (fromProtocol && fromQuery && fromProtocol !== fromQuery) {
    throw new UnauthorizedError('Two different access tokens were given (URL and subprotocol).');
  }
  const token = fromProtocol ?? fromQuery;
  if (!token) {
    throw new UnauthorizedError(
      'An access token is required: ?token=<token>, or the subprotocols "bearer", <token>.',
    );
  }
  return { token, subprotocol: bearerAt >= 0 ? BEARER_SUBPROTOCOL : undefined };
}
