/**
 * Presence: a user is online while at least one WebSocket connection of theirs is registered on their feed head,
 * and otherwise shows when the last one closed (`lastActiveAt`). Derived off the request path: $connect and
 * $disconnect write only the connection's owner item; the stream consumer registers it on the head
 * (connections.ts) and then calls `announcePresence` here.
 *
 * Who is told: the other members of the user's direct conversations (`presence.changed`, posted to their open
 * connections, not stored in anyone's feed: presence is a state to show, not a change to replay; GET /users/{id}
 * and GET /conversations/{id} show the current one). Group-only co-members and strangers are told nothing.
 *
 * Debounce: at most one announcement per user per PRESENCE_NOTICE_INTERVAL_SECONDS (30 s), claimed by a
 * conditional write on the head (`noticeAt`, `noticeOnline`), so it holds across function instances. A change
 * back to the state last announced (a flap) sends nothing. A change held back by the window is announced by the
 * user's next connect or disconnect after it; until then watchers keep the state announced last (see
 * docs/realtime.md, "presence.changed").
 *
 * Hidden presence (`showPresence: false` on the profile): others see the user offline with no lastActiveAt, and
 * nothing is announced.
 */
import { config } from '../config';
import { claimPresenceNotice, type FeedHead, getHeads } from '../data/feed-store';
import { directContacts } from '../data/presence-store';
import { getUser } from '../data/users-store';
import { isOnline } from '../domain/presence';
import type { ConnectionSender } from './connection-sender';
import { forEachConcurrently, postToConnections } from './delivery';

/** Direct conversations (most recent first) whose other member is told. Bounds one announcement's work. */
export const MAX_PRESENCE_WATCHERS = 200;

export type PresenceOutcome = 'announced' | 'unchanged' | 'held' | 'hidden';

/**
 * Tells the user's watchers their presence, when it differs from the state announced last and the window
 * allows (`head`: the user's head just after their connection changed).
 */
export async function announcePresence(
  head: FeedHead,
  deps: { sender?: ConnectionSender },
  now = Date.now(),
): Promise<PresenceOutcome> {
  const online = isOnline(head, now);
  if ((head.presenceNotice?.online ?? false) === online) return 'unchanged';
  const profile = await getUser(head.userId);
  if (!profile?.showPresence) return 'hidden';
  const claimed = await claimPresenceNotice(
    head.userId,
    online,
    config.presenceNoticeIntervalSeconds * 1000,
    now,
  );
  if (!claimed) return 'held';
  const presence =
    online || !claimed.lastActiveAt ? { online } : { online, lastActiveAt: claimed.lastActiveAt };
  const payload = JSON.stringify({ type: 'presence.changed', userId: head.userId, ...presence });
  const { sender } = deps;
  if (!sender) return 'announced';
  const watchers = await directContacts(head.userId, MAX_PRESENCE_WATCHERS);
  await forEachConcurrently(await getHeads(watchers), 16, async (watcher) => {
    if (watcher.connections.length > 0) await postToConnections(watcher, [payload], sender, now);
  });
  return 'announced';
}
