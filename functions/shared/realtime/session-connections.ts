/**
 * Closing the WebSockets of a session that ended. Run by the table-stream function when a session item is
 * removed (ended by the user, by refresh-token reuse detection, by logout-all or a password change, or
 * expired by TTL), so every way a session ends closes its sockets, in every region (the removal replicates).
 *
 * A small function over this branch's connection items (`USER#<u>` / `CONN#<id>`, which now carry the
 * session id); the event pipeline's per-user connection records can take its place (`closeConnectionsOf`).
 */
import { deleteConnection, listConnections } from '../data/connections-store';
import type { ConnectionCloser } from './connection-sender';

/** Closes the user's connections of `sessionId` (all of them when it is undefined); returns how many. */
export async function closeConnectionsOf(
  userId: string,
  { sessionId }: { sessionId?: string },
  closer: ConnectionCloser,
): Promise<number> {
  const connections = await listConnections(userId);
  const targets = connections.filter(
    (connection) => sessionId === undefined || connection.sessionId === sessionId,
  );
  await Promise.all(
    targets.map(async ({ connectionId }) => {
      await closer.close(connectionId);
      // $disconnect forgets it too; doing it here means no event is posted to it meanwhile.
      await deleteConnection(userId, connectionId);
    }),
  );
  return targets.length;
}
