/**
 * Blocking (docs/architecture.md, "Blocking and muting"): a user stops another from messaging them. One-directional in
 * what it hides (the blocker gets no events or unread counts from the blocked user; the blocked user is told
 * nothing), but their direct chat stops both ways until the block is lifted.
 */
import * as store from '../data/blocks-store';
import { batchGet } from '../data/conversations-store';
import { userKey } from '../data/keys';
import { NotFoundError, ValidationError } from '../errors';
import { directConversationId } from './conversations';
import { blockCursor } from './cursors';

function notYourself(callerId: string, userId: string) {
  if (callerId === userId) {
    throw new ValidationError('You cannot block yourself.', [
      { field: '(path) userId', message: 'is your own id' },
    ]);
  }
}

export async function block(callerId: string, userId: string, now = new Date()): Promise<void> {
  notYourself(callerId, userId);
  const done = await store.putBlock(
    callerId,
    userId,
    directConversationId(callerId, userId),
    now.toISOString(),
  );
  if (!done) {
    throw new NotFoundError(`No user has the id "${userId}".`, [
      { field: '(path) userId', message: 'is not a user' },
    ]);
  }
}

export async function unblock(callerId: string, userId: string): Promise<void> {
  notYourself(callerId, userId);
  await store.deleteBlock(callerId, userId, directConversationId(callerId, userId));
}

/** A page of the caller's blocks, in user id order, with the users' names. */
export async function listBlocks(callerId: string, query: { limit: number; cursor?: string }) {
  const after = query.cursor ? blockCursor.decode(query.cursor, callerId) : undefined;
  const page = await store.queryBlocks(callerId, query.limit, after);
  const profiles = page.blocks.length
    ? await batchGet(
        page.blocks.map((entry) => userKey(entry.userId)),
        ['id', 'username', 'displayName'],
      )
    : [];
  const byId = new Map(profiles.map((profile) => [profile.id as string, profile]));
  const last = page.blocks.at(-1);
  return {
    items: page.blocks.map((entry) => ({
      ...entry,
      username: byId.get(entry.userId)?.username as string | undefined,
      displayName: byId.get(entry.userId)?.displayName as string | undefined,
    })),
    nextCursor: page.hasMore && last ? blockCursor.encode(callerId, last.userId) : null,
  };
}
