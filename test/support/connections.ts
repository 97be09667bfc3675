/**
 * What $connect and the table stream do together, for integration tests that run no stream consumer: the owner
 * item ($connect's one write), then its registration on the feed head (what the consumer does with the item's
 * stream record).
 */
import { config } from '../../functions/shared/config';
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
  await openConnection(connectionId, claims, at);
  const region = config.region ? { region: config.region } : {};
  await registerConnection(connectionId, { ...claims, connectedAt: at.getTime(), ...region }, deps, at);
}
