/**
 * Typing indicators: a member's client says "typing" over its connection; the other members' connections get
 * `{type: "typing", conversationId, userId}`. Relayed straight away, never stored (beyond the rate limit) and
 * not part of anyone's stream of changes.
 */
import { queryBlockers } from '../data/blocks-store';
import { claimTypingSlot, getConnectionOwner } from '../data/connections-store';
import { getMember, queryMembers } from '../data/conversations-store';
import { getHeads, removeConnections } from '../data/feed-store';
import type { ConnectionSender } from './connection-sender';
import { closeWithReason, forEachConcurrently, postToConnections } from './delivery';

/** At most one relay per user and conversation in this interval; clients repeat while the user types. */
export const TYPING_INTERVAL_MS = 2000;

export type TypingOutcome =
  | 'relayed'
  | 'unknown-connection'
  | 'token-expired'
  | 'not-member'
  | 'rate-limited';

export async function relayTyping(
  connectionId: string,
  conversationId: string,
  deps: { sender: ConnectionSender },
  now = new Date(),
): Promise<{ outcome: TypingOutcome; userId?: string }> {
  const owner = await getConnectionOwner(connectionId, now);
  if (!owner) return { outcome: 'unknown-connection' };
  const { userId } = owner;
  if (owner.tokenExpiresAt <= now.getTime()) {
    await closeWithReason(deps.sender, connectionId, 'token-expired');
    await removeConnections(userId, [connectionId]);
    return { outcome: 'token-expired', userId };
  }
  // A non-member learns nothing: the relay is silently dropped, as for an unknown conversation.
  if (!(await getMember(conversationId, userId))) return { outcome: 'not-member', userId };
  if (!(await claimTypingSlot(conversationId, userId, TYPING_INTERVAL_MS, now))) {
    return { outcome: 'rate-limited', userId };
  }
  // Members who blocked the typist are not told (docs/architecture.md, "Blocking and muting"): read beside the members.
  const [{ members }, blockers] = await Promise.all([queryMembers(conversationId), queryBlockers(userId)]);
  const others = members
    .map((member) => member.userId)
    .filter((member) => member !== userId && !blockers.has(member));
  const payload = JSON.stringify({ type: 'typing', conversationId, userId });
  await forEachConcurrently(await getHeads(others), 16, async (head) => {
    if (head.connections.length > 0) await postToConnections(head, [payload], deps.sender, now.getTime());
  });
  return { outcome: 'relayed', userId };
}
