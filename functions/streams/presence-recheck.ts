/**
 * Reads the presence-recheck queue: for each user whose presence change the debounce window held back, once the
 * window has ended, announces the state they are in now if it differs from the one announced last
 * (realtime/presence-rechecks.ts). A failure fails the whole batch, so that it is retried and counts in the
 * function's Errors (alarmed): repeating a recheck is harmless, the announcement is claimed by a conditional write.
 */
import type { SQSEvent } from 'aws-lambda';
import { getHead } from '../shared/data/feed-store';
import { logger } from '../shared/logger';
import { type ConnectionSender, managementApiSender } from '../shared/realtime/connection-sender';
import { announcePresence } from '../shared/realtime/presence';
import { type RecheckScheduler, recheckScheduler, recheckUserId } from '../shared/realtime/presence-rechecks';

export async function handleRechecks(
  event: SQSEvent,
  deps: { sender?: ConnectionSender; recheck?: RecheckScheduler } = {},
): Promise<void> {
  const sender = 'sender' in deps ? deps.sender : managementApiSender();
  const recheck = 'recheck' in deps ? deps.recheck : recheckScheduler();
  let failures = 0;
  const seen = new Set<string>();
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        const userId = recheckUserId(record.body);
        // Several rechecks of one user in a batch are one look at their presence.
        if (seen.has(userId)) return;
        seen.add(userId);
        await announcePresence(await getHead(userId), { sender, recheck });
      } catch (error) {
        logger.error('presence recheck failed', { messageId: record.messageId, error: error as Error });
        failures++;
      }
    }),
  );
  if (failures > 0) throw new Error(`${failures} presence recheck(s) of ${event.Records.length} failed`);
}

export const handler = (event: SQSEvent): Promise<void> => handleRechecks(event);
