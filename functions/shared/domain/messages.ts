/** Messages: send (idempotent), history, edit, delete, read markers. Only members read or write. */

import { getMember } from '../data/conversations-store';
import type { MessageRecord, StoredContent } from '../data/messages-store';
import * as store from '../data/messages-store';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { signedUrl } from '../media/cdn';
import { metrics } from '../metrics';
import type { Message, MessageContentInput, MessagePreview } from '../schemas/messages';
import { conversationNotFound, directConversationId, openDirect } from './conversations';
import { isUlid, messageCursor, repliesCursor } from './cursors';
import { ulid } from './ids';
import { requireReadyMedia } from './media';
import { reactionsShown } from './reactions';

export type { MessageRecord };

const PREVIEW_LENGTH = 100;

/**
 * Turns request content into what is stored: `string` is the older clients' name for `text`; media content
 * must name the sender's own ready attachment of the right kind.
 */
export async function resolveContent(content: MessageContentInput, senderId: string): Promise<StoredContent> {
  // `'text' in` narrows where the type cannot: the text variant's type is itself a union ('text' | 'string').
  if ('text' in content) return { type: 'text', text: content.text };
  const { type, metadata } = content;
  // Each media type names its upload in a field of the type's name: `{type: 'image', image: <media id>}`.
  const mediaId = (content as unknown as Record<string, string>)[type] as string;
  const media = await requireReadyMedia(senderId, mediaId, {
    purpose: 'attachment',
    // A file may be of any attachment type (it is offered as a download); the others must match.
    ...(type === 'file' ? {} : { kind: type }),
    field: `content.${type}`,
  });
  // Only audio content has these (the request schema is strict).
  const { durationMs, waveform } = content as { durationMs?: number; waveform?: number[] };
  return {
    type,
    media: media.id,
    key: media.key,
    contentType: media.contentType,
    size: media.size,
    ...(type === 'file' || type === 'audio' ? { fileName: media.fileName } : {}),
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(waveform ? { waveform } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

/**
 * A message as the API shows it: media content gets a short-lived signed CDN URL. The stored reaction counts
 * are left out: the reader's view of them needs the reader (presentFor; events leave them out).
 */
export async function presentMessage(record: MessageRecord, now = new Date()): Promise<Message> {
  const { reactions: _counts, ...message } = record;
  const content = message.content;
  if (!content || content.type === 'text') return { ...message, content };
  const { url, expiresAt } = await signedUrl(content.key, now);
  // The stored fields as they are (type, size, file name, duration, ...), the upload's id under the type's name.
  const { media, key: _key, ...shown } = content;
  return {
    ...message,
    content: { ...shown, [content.type]: media, url, urlExpiresAt: expiresAt } as Message['content'],
  };
}

/** Messages as the caller sees them: presented, with their reactions (domain/reactions.ts). */
async function presentFor(callerId: string, conversationId: string, records: readonly MessageRecord[]) {
  const [items, reactions] = await Promise.all([
    Promise.all(records.map((record) => presentMessage(record))),
    reactionsShown(callerId, conversationId, records),
  ]);
  return items.map((item, index) => ({ ...item, reactions: reactions[index] ?? [] }));
}

export function previewOf(message: MessageRecord): MessagePreview {
  const content = message.content;
  const preview = !content
    ? ''
    : content.type === 'text'
      ? [...content.text].slice(0, PREVIEW_LENGTH).join('')
      : `[${content.type}]`;
  return {
    id: message.id,
    senderId: message.senderId,
    type: content?.type ?? 'deleted',
    preview,
    createdAt: message.createdAt,
  };
}

type SendInput = { content: MessageContentInput; clientMessageId?: string; parentMessageId?: string };

async function newMessage(
  callerId: string,
  conversationId: string,
  input: SendInput,
  now: Date,
): Promise<MessageRecord> {
  return {
    id: ulid(now.getTime()),
    conversationId,
    senderId: callerId,
    content: await resolveContent(input.content, callerId),
    createdAt: now.toISOString(),
    ...(input.clientMessageId ? { clientMessageId: input.clientMessageId } : {}),
  };
}

/** A message as its send answers it, a retry's too: as it was sent, so with no reactions. */
const presentAsSent = async (message: MessageRecord): Promise<Message> => ({
  ...(await presentMessage(message)),
  reactions: [],
});

async function storeMessage(
  message: MessageRecord,
  thread?: store.ThreadTarget,
): Promise<{ message: Message; created: boolean } | undefined> {
  const result = await store.sendMessage(message, thread);
  if (result.outcome === 'not-member') return undefined;
  if (result.outcome === 'parent-gone') throw parentDeleted();
  // A new message has no reactions; a retry answers with the message as it was sent.
  if (result.outcome === 'duplicate')
    return { message: await presentAsSent(result.original), created: false };
  metrics.count('MessagesSent', { type: message.content?.type });
  return { message: await presentAsSent(message), created: true };
}

export async function send(
  callerId: string,
  conversationId: string,
  input: SendInput,
  now = new Date(),
): Promise<{ message: Message; created: boolean }> {
  const [message, rootId] = await Promise.all([
    newMessage(callerId, conversationId, input, now),
    input.parentMessageId === undefined
      ? undefined
      : threadRootOf(callerId, conversationId, input.parentMessageId).catch((error: unknown) =>
          retriedReply(error, callerId, conversationId, input.clientMessageId),
        ),
  ]);
  if (typeof rootId === 'object') return rootId;
  const sent = await storeMessage(
    rootId ? { ...message, parentMessageId: rootId } : message,
    input.parentMessageId ? { answeredId: input.parentMessageId } : undefined,
  );
  if (!sent) throw conversationNotFound(conversationId);
  return sent;
}

/**
 * A retried reply (same clientMessageId) whose parent was deleted after the first attempt went through gets
 * the original, as any retry does; without a first attempt the parent's problem stands. Only members get here
 * (threadRootOf checks membership first).
 */
async function retriedReply(
  error: unknown,
  callerId: string,
  conversationId: string,
  clientMessageId?: string,
) {
  if (!clientMessageId || !(error instanceof ConflictError || error instanceof ValidationError)) throw error;
  const original = await store.getByClientMessageId(conversationId, callerId, clientMessageId);
  if (!original) throw error;
  // As any retry: the message as it was sent (storeMessage).
  return { message: await presentAsSent(original), created: false };
}

const PARENT = 'parentMessageId';

const parentDeleted = () =>
  new ConflictError('The message you reply to, or the first message of its thread, was deleted.', [
    { field: PARENT, message: 'is a deleted message' },
  ]);

/**
 * The root of the thread a reply to `parentId` joins: the parent itself, or the root of the parent's own thread
 * (threads are one level deep). A live parent needs no membership read: the send transaction's membership
 * condition turns a non-member away (404) and checks again that root and parent are still there. Only a
 * missing or deleted parent reads the membership first, so that a non-member learns nothing of the
 * conversation's messages.
 */
async function threadRootOf(callerId: string, conversationId: string, parentId: string): Promise<string> {
  const parent = isUlid(parentId) ? await store.getMessage(conversationId, parentId) : undefined;
  if (parent && !parent.deletedAt) return parent.parentMessageId ?? parent.id;
  if (!(await getMember(conversationId, callerId))) throw conversationNotFound(conversationId);
  if (parent) throw parentDeleted();
  throw new ValidationError(`No message "${parentId}" in this conversation to reply to.`, [
    { field: PARENT, message: 'is not a message of this conversation' },
  ]);
}

/**
 * Sends to the direct conversation with a user, starting it on first use (the older clients' model). The
 * content is checked before anything is written, so a rejected message leaves no empty conversation behind.
 */
export async function sendToUser(
  callerId: string,
  recipientId: string,
  input: SendInput,
  now = new Date(),
): Promise<{ message: Message; created: boolean }> {
  const message = await newMessage(callerId, directConversationId(callerId, recipientId), input, now);
  const sent = await storeMessage(message);
  if (sent) return sent;
  await openDirect(callerId, recipientId, now, 'recipient');
  const retried = await storeMessage(message);
  if (!retried) throw conversationNotFound(message.conversationId);
  return retried;
}

export async function history(
  callerId: string,
  conversationId: string,
  query: { limit: number; cursor?: string; after?: string; includeReplies?: 'true' | 'false' },
): Promise<{ items: Message[]; nextCursor: string | null }> {
  if (query.cursor && query.after) {
    throw new ValidationError('Use either cursor or after, not both.', [
      { field: '(query) after', message: 'cannot be combined with cursor' },
    ]);
  }
  if (query.after !== undefined && !isUlid(query.after)) {
    throw new ValidationError('after must be a message id.', [
      { field: '(query) after', message: 'is not a message id' },
    ]);
  }
  const position = query.cursor ? messageCursor.decode(query.cursor, conversationId) : undefined;
  const afterId = position?.newer ? position.messageId : query.after;
  // Membership and the page are read in parallel; the page is discarded unless the caller is a member.
  const [member, page] = await Promise.all([
    getMember(conversationId, callerId),
    store.queryMessages(conversationId, {
      limit: query.limit,
      beforeId: position?.newer ? undefined : position?.messageId,
      afterId,
      includeReplies: query.includeReplies === 'true',
    }),
  ]);
  if (!member) throw conversationNotFound(conversationId);
  // A page cut short by replies it skipped goes on after the last message it looked at, the same way.
  const lastId = page.lastId ?? page.messages.at(-1)?.id;
  return {
    items: await presentFor(callerId, conversationId, page.messages),
    nextCursor:
      page.hasMore && lastId
        ? messageCursor.encode(conversationId, lastId, afterId ? 'newer' : 'older')
        : null,
  };
}

/** A thread: the replies to a root message, oldest first, paged. Members only; a reply has no thread. */
export async function replies(
  callerId: string,
  conversationId: string,
  rootId: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: Message[]; nextCursor: string | null }> {
  const afterId = query.cursor ? repliesCursor.decode(query.cursor, conversationId, rootId) : undefined;
  const known = isUlid(rootId);
  const [member, root, page] = await Promise.all([
    getMember(conversationId, callerId),
    known ? store.getMessage(conversationId, rootId) : Promise.resolve(undefined),
    known ? store.queryReplies(conversationId, rootId, { limit: query.limit, afterId }) : undefined,
  ]);
  if (!member) throw conversationNotFound(conversationId);
  if (!root || !page) {
    throw new NotFoundError(`No message "${rootId}" in this conversation.`, [
      { field: '(path) messageId', message: 'is not a message of this conversation' },
    ]);
  }
  if (root.parentMessageId) {
    throw new ValidationError(
      'A reply has no thread of its own: ask for the thread of its parentMessageId.',
      [{ field: '(path) messageId', message: `is a reply in the thread of ${root.parentMessageId}` }],
    );
  }
  const last = page.replies.at(-1);
  return {
    items: await presentFor(callerId, conversationId, page.replies),
    nextCursor: page.hasMore && last ? repliesCursor.encode(conversationId, rootId, last.id) : null,
  };
}

async function loadForChange(callerId: string, conversationId: string, messageId: string) {
  const [member, message] = await Promise.all([
    getMember(conversationId, callerId),
    isUlid(messageId) ? store.getMessage(conversationId, messageId) : Promise.resolve(undefined),
  ]);
  if (!member) throw conversationNotFound(conversationId);
  if (!message) throw new NotFoundError(`No message "${messageId}" in this conversation.`);
  return { member, message };
}

export async function edit(
  callerId: string,
  conversationId: string,
  messageId: string,
  text: string,
  now = new Date(),
) {
  const { message } = await loadForChange(callerId, conversationId, messageId);
  if (message.senderId !== callerId) throw new ForbiddenError('Only the sender can edit a message.');
  if (message.deletedAt) throw new ConflictError('A deleted message cannot be edited.');
  if (message.content?.type !== 'text') {
    throw new ValidationError('Only text messages can be edited.', [
      { field: 'text', message: 'the message is not text' },
    ]);
  }
  const editedAt = now.toISOString();
  const outcome = await store.editMessageText(message, text, editedAt);
  if (outcome === 'conflict')
    throw new ConflictError('The message was deleted, or you left the conversation, meanwhile.');
  const [edited] = await presentFor(callerId, conversationId, [
    { ...message, content: { type: 'text', text }, editedAt },
  ]);
  return edited as Message;
}

/** Leaves a tombstone. The sender may delete; so may a group's owners and admins. Deleting twice is fine. */
export async function remove(callerId: string, conversationId: string, messageId: string, now = new Date()) {
  const { member, message } = await loadForChange(callerId, conversationId, messageId);
  if (message.deletedAt) return;
  const isSender = message.senderId === callerId;
  if (!isSender && member.role === 'member') {
    throw new ForbiddenError("Only the sender or a group's owners and admins can delete a message.");
  }
  const outcome = await store.tombstoneMessage(message, callerId, now.toISOString(), !isSender);
  if (outcome === 'conflict') {
    const current = await store.getMessage(conversationId, messageId);
    if (current?.deletedAt) return;
    throw new ConflictError('Your membership changed meanwhile; reload and try again.');
  }
}

export async function markRead(
  callerId: string,
  conversationId: string,
  messageId: string,
  now = new Date(),
) {
  const move: store.ReadMarkerMove = isUlid(messageId)
    ? await store.tryMoveReadMarker(conversationId, callerId, messageId, now.toISOString())
    : // Not an id at all: whether the caller is a member decides between 404 and 400, as for a missing message.
      { outcome: 'no-message', isMember: Boolean(await getMember(conversationId, callerId)) };
  switch (move.outcome) {
    case 'not-member':
      throw conversationNotFound(conversationId);
    case 'no-message':
      // A non-member must not learn whether the message exists.
      if (!move.isMember) throw conversationNotFound(conversationId);
      throw new ValidationError(`No message "${messageId}" in this conversation.`, [
        { field: 'messageId', message: 'is not a message of this conversation' },
      ]);
    case 'moved':
      return {
        conversationId,
        userId: callerId,
        lastReadMessageId: messageId,
        lastReadAt: now.toISOString(),
      };
    case 'not-forward':
      // The marker is already past this message (markers only move forward): answer with where it is.
      return { conversationId, userId: callerId, ...move.marker };
  }
}

/**
 * Older clients know text content as `{type: "string"}`; they get it back the way they send it, in the shape
 * they know (reactions are for the current API).
 */
export function asLegacyMessage({ reactions: _reactions, ...message }: Message): Message {
  return message.content?.type === 'text'
    ? { ...message, content: { type: 'string', text: message.content.text } }
    : message;
}
