/** Opening and closing WebSocket connections: who is connected where. Knows nothing of API Gateway events. */
import { deleteConnectionById, saveConnection } from '../data/connections-store';

export async function openConnection(
  connectionId: string,
  userId: string,
  now = new Date(),
  sessionId?: string,
): Promise<void> {
  await saveConnection(connectionId, userId, now, sessionId);
}

/** Returns the connection's user, when it was still known. */
export async function closeConnection(connectionId: string): Promise<string | undefined> {
  return deleteConnectionById(connectionId);
}
