/**
 * Opening and closing WebSocket connections: who is connected where. Knows nothing of API Gateway events.
 *
 * The request path ($connect, $disconnect) writes one item: the connection's owner item (`CONN#<id>`), put or
 * deleted. Everything else follows off the request path, from that item's stream record (table-stream.ts):
 * registering the connection on its user's feed head (where events are posted from), the per-user limit
 * (`MAX_CONNECTIONS_PER_USER`, default 10: the oldest is closed when one more connects), and presence
 * (realtime/presence.ts).
 */
import { config } from '../config';
import { type ConnectionOwner, deleteConnectionOwner, saveConnectionOwner } from '../data/connections-store';
import { addConnection, type FeedHead, getHead, removeConnections } from '../data/feed-store';
import { connectedHere } from '../data/origin';
import { sessionExists } from '../data/sessions-store';
import { MAX_CONNECTION_MS } from '../domain/presence';
import { postRecentEvents } from '../events/publisher';
import { metrics } from '../metrics';
import type { ConnectionClosingReason } from '../schemas/realtime';
import type { ConnectionSender } from './connection-sender';
import { closeWithReason } from './delivery';

export interface ConnectionClaims {
  userId: string;
  /** Epoch milliseconds: when the access token expires (then the connection gets no more events). */
  tokenExpiresAt: number;
  sessionId?: string;
}

/** $connect: one write, the owner item. The stream registers the connection (registerConnection). */
export async function openConnection(
  connectionId: string,
  claims: ConnectionClaims,
  now = new Date(),
): Promise<void> {
  await saveConnectionOwner(connectionId, {
    ...claims,
    connectedAt: now.getTime(),
    ...(config.region ? { region: config.region } : {}),
  });
}

/** $disconnect: one write, deleting the owner item; returns its user, when it was still known. */
export async function closeConnection(connectionId: string): Promise<string | undefined> {
  return (await deleteConnectionOwner(connectionId))?.userId;
}

/**
 * Off the request path (the owner item's INSERT): registers the connection on its user's feed head, closes the
 * oldest beyond the limit, and posts the events the user's feed took since the connection opened (the
 * registration comes a moment after the handshake; a client that synced in between would otherwise wait for
 * its next event to notice). Returns the head as it is afterwards.
 */
export async function registerConnection(
  connectionId: string,
  owner: ConnectionOwner,
  deps: { sender?: ConnectionSender },
  now = new Date(),
): Promise<FeedHead> {
  const { userId, ...info } = owner;
  const head = await addConnection(userId, { connectionId, ...info });
  // The session may have ended between $connect and now: its end (the session item's REMOVE) closed the
  // connections registered then, which this one was not yet. Read after registering, so one of the two sees
  // the other.
  if (owner.sessionId && !(await sessionExists(userId, owner.sessionId, { consistent: true }))) {
    if (deps.sender) await closeWithReason(deps.sender, connectionId, 'session-ended');
    return (await removeConnections(userId, [connectionId])) ?? head;
  }
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
  const { sender } = deps;
  if (sender) {
    await Promise.all(oldest.map((other) => closeWithReason(sender, other.connectionId, 'connection-limit')));
  }
  const forget = [...stale, ...oldest].map((other) => other.connectionId);
  const after = forget.length > 0 ? ((await removeConnections(userId, forget)) ?? head) : head;
  if (stale.length > 0) metrics.record('StaleConnectionsRemoved', stale.length);
  // The per-user connection limit at work: the new connection stays, the oldest was refused from now on.
  if (oldest.length > 0) metrics.record('CallsRefusedByLimits', oldest.length, { route: 'connect' });
  const registered = after.connections.find((connection) => connection.connectionId === connectionId);
  if (sender && registered && connectedHere(registered) && head.takenAt >= owner.connectedAt) {
    await postRecentEvents(after, registered, owner.connectedAt, sender);
  }
  return after;
}

/**
 * Off the request path (the owner item's REMOVE): forgets the connection on the head; `closedAt` (absent for
 * an owner item expired by TTL, long after its close) records the user's last activity.
 */
export async function unregisterConnection(
  userId: string,
  connectionId: string,
  closedAt?: Date,
): Promise<FeedHead | undefined> {
  return removeConnections(userId, [connectionId], closedAt);
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
