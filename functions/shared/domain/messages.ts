/** Messages: send (idempotent), history, edit, delete, read markers. Only members read or write. */

import { getMember } from '../data/conversations-store';
import type { MessageRecord, StoredContent } from '../data/messages-store';
import * as store from '../data/messages-store';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { signedUrl } from '../media/cdn';
import { metrics } from '../metrics';
import type { Message, MessageContentInput, MessagePreview } from '../schemas/messages';
import { conversationNotFound, directConversationId, openDirect } from './conversations';
import { isUlid, messageCursor } from './cursors';
import { ulid } from './ids';
import { requireReadyMedia } from './media';

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

/** A message as the API shows it: media content gets a short-lived signed CDN URL. */
export async function presentMessage(message: MessageRecord, now = new Date()): Promise<Message> {
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

type SendInput = { content: MessageContentInput; clientMessageId?: string };

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

async function storeMessage(
  message: MessageRecord,
): Promise<{ message: Message; created: boolean } | undefined> {
  const result = await store.sendMessage(message);
  if (result.outcome === 'not-member') return undefined;
  if (result.outcome === 'duplicate')
    return { message: await presentMessage(result.original), created: false };
  metrics.count('MessagesSent', { type: message.content?.type });
  return { message: await presentMessage(message), created: true };
}

export async function send(
  callerId: string,
  conversationId: string,
  input: SendInput,
  now = new Date(),
): Promise<{ message: Message; created: boolean }> {
  const sent = await storeMessage(await newMessage(callerId, conversationId, input, now));
  if (!sent) throw conversationNotFound(conversationId);
  return sent;
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
  query: { limit: number; cursor?: string; after?: string },
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
  const beforeId = query.cursor ? messageCursor.decode(query.cursor, conversationId) : undefined;
  // Membership and the page are read in parallel; the page is discarded unless the caller is a member.
  const [member, page] = await Promise.all([
    getMember(conversationId, callerId),
    store.queryMessages(conversationId, { limit: query.limit, beforeId, afterId: query.after }),
  ]);
  if (!member) throw conversationNotFound(conversationId);
  const last = page.messages.at(-1);
  return {
    items: await Promise.all(page.messages.map((message) => presentMessage(message))),
    nextCursor: page.hasMore && last && !query.after ? messageCursor.encode(conversationId, last.id) : null,
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
  return presentMessage({ ...message, content: { type: 'text', text }, editedAt });
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

/** Older clients know text content as `{type: "string"}`; they get it back the way they send it. */
export function asLegacyMessage(message: Message): Message {
  return message.content?.type === 'text'
    ? { ...message, content: { type: 'string', text: message.content.text } }
    : message;
}
