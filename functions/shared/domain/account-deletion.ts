/**
 * Deleting an account (GDPR art. 17), in two parts:
 *
 * 1. On the request path, `startAccountDeletion` ends the account at once, in one transaction: the profile is
 *    deleted (its stream record deletes the profile picture), the username claim becomes a tombstone without
 *    credentials (no login, no refresh; the name is free again after `USERNAME_COOLING_SECONDS`), and the
 *    deletion marker is written. Then every session is deleted (their stream records close the WebSockets).
 * 2. Off the request path, the table stream runs the sweep one bounded step per write of the marker
 *    (`continueAccountDeletion`): each step does one conversation's share of the work (or one page of it) and
 *    records where it got to on the marker, conditional on the step it read; that write is the stream record
 *    that runs the next step. Every step is idempotent, so a retried, replayed (redrive) or duplicated record
 *    resumes the sweep where it stopped and never does a step's writes twice in a way anyone can see.
 *
 * Per conversation: the user's reactions are taken back (while still a member), the user leaves (direct
 * conversations too; a group's ownership passes on as when an owner leaves), then every message they sent is
 * replaced by a tombstone and their idempotency records (copies of messages) are deleted. Messages are
 * anonymised, not deleted: the items stay where they are, so the other members' history keeps its order,
 * threads their roots and reply counts, read markers and unread counts what they point at; what the user wrote
 * (content, attachments, reactions) is erased. After the last conversation: their uploaded files and media
 * items, their data exports, any socket still open, and the feed head.
 */
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { verifyPassword } from '../auth/passwords';
import { config } from '../config';
import * as store from '../data/account-deletion-store';
import { deleteInboxEntry, queryInbox } from '../data/inbox-store';
import { deleteMedia } from '../data/media-store';
import * as sessionsStore from '../data/sessions-store';
import * as usersStore from '../data/users-store';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import type { RequestLimits } from '../limits/fields';
import { logger } from '../logger';
import { EXPORTS_PREFIX, mediaIdOfServedKey, SERVED_PREFIXES } from '../media/object-keys';
import { mediaStorage } from '../media/storage';
import type { ConnectionSender } from '../realtime/connection-sender';
import { closeConnectionsOf } from '../realtime/connections';
import { forEachConcurrently } from '../realtime/delivery';
import { removeMember } from './conversations';
import { setReaction } from './reactions';

export type { AccountDeletionRecord } from '../data/account-deletion-store';

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** Writes of one step run this many at a time. */
const STEP_CONCURRENCY = 16;
/** Reactions read per page while taking them back. */
const REACTIONS_PER_PAGE = 100;
/** Files deleted per step. */
const FILES_PER_STEP = 100;
/** The finished marker is kept this long (who asked and when), then expires. */
const KEEP_DONE_MARKER_SECONDS = 30 * 24 * 3600;

export interface AccountDeletionStatus {
  status: 'deleting' | 'deleted';
  requestedAt: string;
}

const present = (record: store.AccountDeletionRecord): AccountDeletionStatus => ({
  status: record.status === 'done' ? 'deleted' : 'deleting',
  requestedAt: record.requestedAt,
});

/**
 * `DELETE /users/me`: proves the password, then deletes the account. A wrong password is counted as a failed
 * login of the account (the `failed-logins` limit, shared with `POST /login`), so this route is no way around
 * it to guess passwords.
 */
export async function deleteOwnAccount(
  userId: string,
  password: string,
  limits: RequestLimits,
  now = new Date(),
): Promise<AccountDeletionStatus> {
  const user = await usersStore.getUser(userId);
  if (!user) throw new NotFoundError('The user no longer exists.');
  const [claim, attempt] = await Promise.all([
    usersStore.getUsernameClaim(user.username),
    limits.take('failed-logins', { subject: user.username.toLowerCase() }),
  ]);
  const matches = claim?.userId === userId && (await verifyPassword(password, claim.passwordHash));
  if (!matches) {
    throw new ForbiddenError('The password is wrong; nothing was deleted.', [
      { field: 'password', message: 'is wrong' },
    ]);
  }
  await attempt.release();
  return startAccountDeletion(userId, { by: userId, now });
}

/**
 * Ends the account now and starts its sweep. `by` is who asked (the user, or an administrator: the admin
 * routes call this too). Asking again for an account already being deleted answers its status.
 */
export async function startAccountDeletion(
  userId: string,
  {
    by,
    now = new Date(),
    alongside,
  }: {
    by: string;
    now?: Date;
    /** Items for the same transaction (an administrator's audit record), made from the account deleted. */
    alongside?: (user: { id: string; username: string }) => Parameters<typeof store.markAccountDeleted>[2];
  },
): Promise<AccountDeletionStatus> {
  const user = await usersStore.getUser(userId);
  if (!user) {
    const marker = await store.getAccountDeletion(userId);
    if (marker) return present(marker);
    throw new NotFoundError('The user no longer exists.');
  }
  const at = now.toISOString();
  await store.markAccountDeleted(
    user,
    { by, at, freeAt: epochSeconds(now) + config.usernameCoolingSeconds },
    alongside?.(user),
  );
  // Not in the transaction (a user may have any number): the claim is gone, so none can be refreshed or
  // started meanwhile; the sweep's last step deletes them again should this fail half-way.
  await sessionsStore.deleteSessions(userId);
  logger.info('account deletion started', { userId, byAdministrator: by !== userId });
  return { status: 'deleting', requestedAt: at };
}

/** The status of an account's deletion, if it was ever asked for (undefined: never). */
export async function accountDeletionStatus(userId: string): Promise<AccountDeletionStatus | undefined> {
  const marker = await store.getAccountDeletion(userId);
  return marker ? present(marker) : undefined;
}

export interface SweepDeps {
  sender: ConnectionSender | undefined;
  now?: Date;
}

/**
 * Runs the sweep's next step for the marker as a stream record shows it, and records it (which runs the
 * step after). A record of a step already taken (delivered twice, replayed) finds the marker moved on: its
 * work was idempotent, and its recording writes nothing. Returns whether the step was recorded.
 */
export async function continueAccountDeletion(
  marker: store.AccountDeletionRecord,
  deps: SweepDeps,
): Promise<boolean> {
  if (marker.status !== 'sweeping') return false;
  const now = deps.now ?? new Date();
  const { userId } = marker;
  if (marker.current) {
    const current = await sweepConversation(userId, marker.current, now);
    return store.advanceAccountDeletion(userId, marker.step, { current });
  }
  // The inbox lists every conversation the user is still in; each is left before the sweep moves on.
  const [entry] = (await queryInbox(userId, 1)).entries;
  if (entry) {
    return store.advanceAccountDeletion(userId, marker.step, {
      current: { conversationId: entry.conversationId },
    });
  }
  if ((await deleteUploadedFiles(userId)) > 0) return store.advanceAccountDeletion(userId, marker.step, {});
  await sessionsStore.deleteSessions(userId);
  if (deps.sender) await closeConnectionsOf(userId, { reason: 'session-ended' }, { sender: deps.sender });
  await Promise.all([store.deleteFeedHead(userId), store.deleteDataExportItem(userId)]);
  const done = await store.advanceAccountDeletion(userId, marker.step, {
    doneAt: now.toISOString(),
    keepUntil: epochSeconds(now) + KEEP_DONE_MARKER_SECONDS,
  });
  if (done) logger.info('account deletion finished', { userId, steps: marker.step + 1 });
  return done;
}

/** One step in one conversation; the position to continue from, or undefined when it is done. */
async function sweepConversation(
  userId: string,
  position: store.SweepPosition,
  now: Date,
): Promise<store.SweepPosition | undefined> {
  const { conversationId } = position;
  if (!position.left) {
    await takeBackReactions(conversationId, userId, now);
    await leave(conversationId, userId, now);
  }
  const page = await store.ownMessagesPage(conversationId, userId, position.cursor);
  const at = now.toISOString();
  await forEachConcurrently(page.messageIds, STEP_CONCURRENCY, (messageId) =>
    store.anonymiseMessage(conversationId, messageId, userId, at),
  );
  if (page.next) return { conversationId, left: true, cursor: page.next };
  await store.deleteClientMessageRecords(conversationId, userId);
  return undefined;
}

/**
 * Reactions go while the user is still a member (the reaction domain checks membership, and takes the count
 * down), a page at a time; one on a deleted message (which takes no changes) loses its items only.
 */
async function takeBackReactions(conversationId: string, userId: string, now: Date): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.ownReactions(conversationId, userId, REACTIONS_PER_PAGE, startKey);
    await forEachConcurrently(page.reactions, STEP_CONCURRENCY, async ({ messageId, emoji }) => {
      try {
        await setReaction(userId, conversationId, messageId, emoji, false, now);
      } catch (error) {
        // A deleted message (409), or no longer a member (404, a retried step): the items go all the same.
        if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
        await store.deleteReactionItems(conversationId, messageId, emoji, userId);
      }
    });
    startKey = page.next;
  } while (startKey);
}

/** Leaves as an owner leaving would (ownership passes on); already gone is fine. The inbox entry goes too. */
async function leave(conversationId: string, userId: string, now: Date): Promise<void> {
  try {
    await removeMember(userId, conversationId, userId, now, { accountDeleted: true });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    // Not a member (any more): an inbox entry left behind must not hold the sweep in this conversation.
    await deleteInboxEntry(conversationId, userId);
  }
}

/** Deletes one page of the user's files (profile pictures, attachments, data exports) and their media items. */
async function deleteUploadedFiles(userId: string): Promise<number> {
  if (!config.media) return 0; // a region without the bucket (multi-region): the home region's stream has it
  const { s3, bucket } = mediaStorage();
  let deleted = 0;
  for (const prefix of [...SERVED_PREFIXES, EXPORTS_PREFIX]) {
    const listing = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${userId}/`, MaxKeys: FILES_PER_STEP }),
    );
    const keys = (listing.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    await forEachConcurrently(keys, STEP_CONCURRENCY, async (key) => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      const mediaId = mediaIdOfServedKey(key);
      if (mediaId) await deleteMedia(mediaId);
    });
    deleted += keys.length;
  }
  return deleted;
}
