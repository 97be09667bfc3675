/**
 * Reactions: add or remove the caller's (idempotent), list who reacted with an emoji, and the counts a
 * message shows its reader (`reactions: [{emoji, count, me}]`). Only members react or read; a non-member
 * learns nothing about the messages (404, as for every conversation route).
 */
import { getMember } from '../data/conversations-store';
import type { MessageRecord } from '../data/messages-store';
import { getMessage } from '../data/messages-store';
import * as store from '../data/reactions-store';
import { ConflictError, NotFoundError } from '../errors';
import type { ReactionSummary } from '../schemas/reactions';
import { conversationNotFound } from './conversations';
import { isUlid, reactionCursor } from './cursors';
import { ulid } from './ids';

const noMessage = (messageId: string) => new NotFoundError(`No message "${messageId}" in this conversation.`);

/**
 * Adds (`added`) or removes the caller's reaction. Doing it twice changes nothing the second time, and
 * answers the same. A deleted message takes no reactions, and shows none (409 either way).
 */
export async function setReaction(
  callerId: string,
  conversationId: string,
  messageId: string,
  emoji: string,
  added: boolean,
  now = new Date(),
): Promise<void> {
  const outcome = await store.changeReaction(
    { conversationId, messageId, emoji, userId: callerId },
    { id: ulid(now.getTime()), userId: callerId, emoji, added, at: now.toISOString() },
  );
  switch (outcome) {
    case 'not-member':
      throw conversationNotFound(conversationId);
    case 'no-message':
      throw noMessage(messageId);
    case 'deleted':
      throw new ConflictError('The message was deleted: it takes no reactions.');
    case 'too-many':
      throw new ConflictError(
        `The message has ${store.MAX_DISTINCT_EMOJI} different emoji already: react with one of them.`,
        [
          {
            field: '(path) emoji',
            message: `at most ${store.MAX_DISTINCT_EMOJI} different emoji per message`,
          },
        ],
      );
    case 'changed':
    case 'unchanged':
      return;
  }
}

/** Who reacted to a message with an emoji, a page at a time (in user id order). */
export async function listReactors(
  callerId: string,
  conversationId: string,
  messageId: string,
  emoji: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: { userId: string; reactedAt: string }[]; nextCursor: string | null }> {
  const afterUserId = query.cursor
    ? reactionCursor.decode(query.cursor, conversationId, messageId, emoji)
    : undefined;
  // Membership, the message and the page in parallel; the page is discarded unless the caller is a member.
  // A message id that is no ULID names no message: neither it nor its page is read.
  const known = isUlid(messageId);
  const [member, message, page] = await Promise.all([
    getMember(conversationId, callerId),
    known ? getMessage(conversationId, messageId) : undefined,
    known
      ? store.queryReactors({ conversationId, messageId, emoji }, { limit: query.limit, afterUserId })
      : undefined,
  ]);
  if (!member) throw conversationNotFound(conversationId);
  if (!message || !page) throw noMessage(messageId);
  // A deleted message shows no reactions; its reaction items stay behind unread.
  if (message.deletedAt) return { items: [], nextCursor: null };
  const last = page.reactors.at(-1);
  return {
    items: page.reactors,
    nextCursor:
      page.hasMore && last ? reactionCursor.encode(conversationId, messageId, emoji, last.userId) : null,
  };
}

/** A message's counts as its reader sees them: in emoji order (chips do not move as counts change). */
function summaryOf(message: MessageRecord, mine: ReadonlySet<string>): ReactionSummary[] {
  if (message.deletedAt || !message.reactions) return [];
  return Object.entries(message.reactions)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([emoji, count]) => ({ emoji, count, me: mine.has(`${message.id}#${emoji}`) }));
}

/**
 * The reactions each message shows the caller, in the order given. The counts are on the messages already;
 * whether the caller reacted costs one Query of their own reactions between the oldest and newest message
 * with any, and nothing when no message has one.
 */
export async function reactionsShown(
  callerId: string,
  conversationId: string,
  messages: readonly MessageRecord[],
): Promise<ReactionSummary[][]> {
  const reacted = messages
    .filter((message) => !message.deletedAt && Object.keys(message.reactions ?? {}).length > 0)
    .map((message) => message.id)
    .sort();
  const [oldest, newest] = [reacted[0], reacted.at(-1)];
  const mine = new Set<string>();
  if (oldest && newest) {
    for (const { messageId, emoji } of await store.reactedBetween(conversationId, callerId, oldest, newest)) {
      mine.add(`${messageId}#${emoji}`);
    }
  }
  return messages.map((message) => summaryOf(message, mine));
}
