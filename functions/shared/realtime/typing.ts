/**
 * Typing indicators: a member's client says "typing" over its connection; the other members' connections get
 * `{type: "typing", conversationId, userId}`. Relayed straight away, never stored (beyond the rate limit).
 */
import { claimTypingSlot, getConnectionOwner } from '../data/connections-store';
import { getMember } from '../data/conversations-store';
import type { ConnectionSender } from './connection-sender';
import { type Directory, deliver, tableDirectory } from './delivery';

/** At most one relay per user and conversation in this interval; clients repeat while the user types. */
export const TYPING_INTERVAL_MS = 2000;

export type TypingOutcome = 'relayed' | 'unknown-connection' | 'not-member' | 'rate-limited';

export async function relayTyping(
  connectionId: string,
  conversationId: string,
  deps: { sender: ConnectionSender; directory?: Directory },
  now = new Date(),
): Promise<{ outcome: TypingOutcome; userId?: string }> {
  const userId = await getConnectionOwner(connectionId, now);
  if (!userId) return { outcome: 'unknown-connection' };
  // A non-member learns nothing: the relay is silently dropped, as for an unknown conversation.
  if (!(await getMember(conversationId, userId))) return { outcome: 'not-member', userId };
  if (!(await claimTypingSlot(conversationId, userId, TYPING_INTERVAL_MS, now))) {
    return { outcome: 'rate-limited', userId };
  }
  const directory = deps.directory ?? tableDirectory;
  const others = (await directory.membersOf(conversationId)).filter((member) => member !== userId);
  await deliver(others, { type: 'typing', conversationId, userId }, { sender: deps.sender, directory });
  return { outcome: 'relayed', userId };
}
