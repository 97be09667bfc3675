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
 * back to the state last announced (a flap) sends nothing. A change held back by the window is looked at again
 * when the window ends (the trailing edge, realtime/presence-rechecks.ts): whatever the state is then goes out,
 * so a user who connects and leaves within the window is not shown online until their next visit (see
 * docs/realtime.md, "presence.changed").
 *
 * Hidden presence (`showPresence: false` on the profile): others see the user offline with no lastActiveAt, and
 * nothing is announced while it stays hidden; turning it off or on is announced (announcePresenceSetting).
 */
import { config } from '../config';
import {
  claimPresenceNotice,
  type FeedHead,
  getHead,
  getHeads,
  withdrawPresenceNotice,
} from '../data/feed-store';
import { directContacts } from '../data/presence-store';
import { getUser } from '../data/users-store';
import { isOnline } from '../domain/presence';
import type { Presence } from '../schemas/users';
import type { ConnectionSender } from './connection-sender';
import { forEachConcurrently, postToConnections } from './delivery';
import type { RecheckScheduler } from './presence-rechecks';

/** Direct conversations (most recent first) whose other member is told. Bounds one announcement's work. */
export const MAX_PRESENCE_WATCHERS = 200;

export type PresenceOutcome = 'announced' | 'unchanged' | 'held' | 'hidden';

/**
 * Tells the user's watchers their presence, when it differs from the state announced last and the window
 * allows (`head`: the user's head just after their connection changed). A change the window holds back is
 * handed to `recheck` for when the window ends.
 */
export async function announcePresence(
  head: FeedHead,
  deps: { sender?: ConnectionSender; recheck?: RecheckScheduler },
  now = Date.now(),
): Promise<PresenceOutcome> {
  const online = isOnline(head, now);
  if ((head.presenceNotice?.online ?? false) === online) return 'unchanged';
  const profile = await getUser(head.userId);
  if (!profile?.showPresence) return 'hidden';
  const windowMs = config.presenceNoticeIntervalSeconds * 1000;
  const claimed = await claimPresenceNotice(head.userId, online, windowMs, now);
  if (!claimed) {
    // Refused: the window is open (or another instance announced this very state; the recheck then finds it
    // unchanged). Whichever state the user is in when the window ends is announced then.
    await deps.recheck?.(head.userId, (head.presenceNotice?.at ?? now) + windowMs);
    return 'held';
  }
  const presence =
    online || !claimed.lastActiveAt ? { online } : { online, lastActiveAt: claimed.lastActiveAt };
  await tellWatchers(head.userId, presence, deps.sender, now);
  return 'announced';
}

/**
 * The user changed whether others see their presence (PATCH /users/me `showPresence`). Hiding it announces them
 * offline, without lastActiveAt, at once if they were last announced online: what others see on GET now.
 * Showing it again announces the state they are in, through the debounce like any change.
 */
export async function announcePresenceSetting(
  userId: string,
  shown: boolean,
  deps: { sender?: ConnectionSender; recheck?: RecheckScheduler },
  now = Date.now(),
): Promise<PresenceOutcome> {
  if (shown) return announcePresence(await getHead(userId), deps, now);
  if (!(await withdrawPresenceNotice(userId, now))) return 'unchanged';
  await tellWatchers(userId, { online: false }, deps.sender, now);
  return 'announced';
}

/** Posts `presence.changed` to the open connections of the user's watchers (not stored in any feed). */
async function tellWatchers(
  userId: string,
  presence: Presence,
  sender: ConnectionSender | undefined,
  now: number,
): Promise<void> {
  if (!sender) return;
  const payload = JSON.stringify({ type: 'presence.changed', userId, ...presence });
  const watchers = await directContacts(userId, MAX_PRESENCE_WATCHERS);
  await forEachConcurrently(await getHeads(watchers), 16, async (watcher) => {
    if (watcher.connections.length > 0) await postToConnections(watcher, [payload], sender, now);
  });
}
