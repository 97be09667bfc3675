/**
 * Opening and closing WebSocket connections: who is connected where. Knows nothing of API Gateway events.
 *
 * A connection is registered on its user's feed head (where events are posted from) and under its own id
 * (who owns it). Each user may keep `MAX_CONNECTIONS_PER_USER` connections open (default 10): the oldest is
 * closed when one more connects.
 */
import { config } from '../config';
import { deleteConnectionOwner, saveConnectionOwner } from '../data/connections-store';
import { addConnection, type ConnectionInfo, getHead, removeConnections } from '../data/feed-store';
import { connectedHere } from '../data/origin';
import { metrics } from '../metrics';
import type { ConnectionClosingReason } from '../schemas/realtime';
import type { ConnectionSender } from './connection-sender';
import { closeWithReason } from './delivery';

/** API Gateway closes every connection after 2 hours: an entry older than that was never told it closed. */
const MAX_CONNECTION_MS = 2 * 3600_000;

export interface ConnectionClaims {
  userId: string;
  /** Epoch milliseconds: when the access token expires (then the connection gets no more events). */
  tokenExpiresAt: number;
  sessionId?: string;
}

export async function openConnection(
  connectionId: string,
  claims: ConnectionClaims,
  deps: { sender: ConnectionSender },
  now = new Date(),
): Promise<void> {
  const { userId, ...token } = claims;
  const connection: ConnectionInfo = {
    connectionId,
    connectedAt: now.getTime(),
    ...token,
    ...(config.region ? { region: config.region } : {}),
  };
  const [, head] = await Promise.all([
    saveConnectionOwner(connectionId, { userId, connectedAt: connection.connectedAt, ...token }),
    addConnection(userId, connection),
  ]);
  const stale = head.connections.filter((other) => now.getTime() - other.connectedAt > MAX_CONNECTION_MS);
  const live = head.connections.filter((other) => !stale.includes(other));
  const excess = live.length - config.maxConnectionsPerUser;
  const oldest =
    excess > 0
      ? live
          .filter((other) => other.connectionId !== connectionId)
          .sort((a, b) => a.connectedAt - b.connectedAt)
          .slice(0, excess)
      : [];
  await Promise.all(
    oldest.map((other) => closeWithReason(deps.sender, other.connectionId, 'connection-limit')),
  );
  const forget = [...stale, ...oldest].map((other) => other.connectionId);
  if (forget.length > 0) await removeConnections(userId, forget);
  if (stale.length > 0) metrics.record('StaleConnectionsRemoved', stale.length);
  // The per-user connection limit at work: the new connection stays, the oldest was refused from now on.
  if (oldest.length > 0) metrics.record('CallsRefusedByLimits', oldest.length, { route: 'connect' });
}

/** $disconnect: forgets the connection; returns its user, when it was still known. */
export async function closeConnection(connectionId: string, now = new Date()): Promise<string | undefined> {
  const owner = await deleteConnectionOwner(connectionId);
  if (owner) await removeConnections(owner.userId, [connectionId], now);
  return owner?.userId;
}

/**
 * Closes a user's open connections, all of them or those of one session (logout, a password change), telling
 * each why first. Returns how many it closed. The calling function needs WEBSOCKET_CALLBACK_URL and
 * `execute-api:ManageConnections` on POST and DELETE (see ChatWebSocketApi.grantManageConnections).
 */
export async function closeConnectionsOf(
  userId: string,
  options: { sessionId?: string; reason?: ConnectionClosingReason },
  deps: { sender: ConnectionSender },
): Promise<number> {
  const head = await getHead(userId);
  // Multi-region: this region closes the connections its own WebSocket API holds (data/origin.ts).
  const closing = head.connections.filter(
    (connection) =>
      connectedHere(connection) &&
      (options.sessionId === undefined || connection.sessionId === options.sessionId),
  );
  await Promise.all(
    closing.map((connection) =>
      closeWithReason(deps.sender, connection.connectionId, options.reason ?? 'session-ended'),
    ),
  );
  await removeConnections(
    userId,
    closing.map((connection) => connection.connectionId),
  );
  return closing.length;
}
