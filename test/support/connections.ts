/**
 * What $connect and the table stream do together, for integration tests that run no stream consumer: the owner
 * item ($connect's one write), then its registration on the feed head (what the consumer does with the item's
 * stream record).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../functions/shared/config';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { sessionKey } from '../../functions/shared/data/keys';
import type { ConnectionSender } from '../../functions/shared/realtime/connection-sender';
import {
  type ConnectionClaims,
  openConnection,
  registerConnection,
} from '../../functions/shared/realtime/connections';

export async function openAndRegister(
  connectionId: string,
  claims: ConnectionClaims,
  deps: { sender?: ConnectionSender },
  at = new Date(),
): Promise<void> {
  // A token that names a session connects only while the session exists ($connect checks, and so does the
  // registration): the session a login would have written.
  if (claims.sessionId) {
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...sessionKey(claims.userId, claims.sessionId), type: 'Session', userId: claims.userId },
      }),
    );
  }
  await openConnection(connectionId, claims, at);
  const region = config.region ? { region: config.region } : {};
  await registerConnection(connectionId, { ...claims, connectedAt: at.getTime(), ...region }, deps, at);
}
