/**
 * The WebSocket protocol: what a client may send (actions) and every event the server sends. The handlers
 * validate actions with these schemas; events are typed by them; docs/realtime.md describes the same shapes.
 */
import * as z from 'zod';
import { idSchema, timestampSchema } from './common';
import { roleSchema } from './conversations';
import { messageSchema } from './messages';

const conversationIdSchema = z.string().min(1).max(100);

// Client actions: API Gateway routes a message by its `action` (see ws-routes.ts).

export const typingActionSchema = z.strictObject({
  action: z.literal('typing'),
  conversationId: conversationIdSchema,
});

export const pingActionSchema = z.object({ action: z.literal('ping') });

// Server events.

export const messageEventSchema = z.object({
  type: z.enum(['message.created', 'message.updated', 'message.deleted']),
  conversationId: z.string(),
  /** As the HTTP API shows it; a deleted message has `content: null` and `deletedAt`. */
  message: messageSchema,
});

export const readEventSchema = z.object({
  type: z.literal('conversation.read'),
  conversationId: z.string(),
  userId: idSchema,
  lastReadMessageId: z.string(),
  lastReadAt: timestampSchema.nullable(),
});

export const memberAddedEventSchema = z.object({
  type: z.literal('member.added'),
  conversationId: z.string(),
  userId: idSchema,
  role: roleSchema,
  joinedAt: timestampSchema,
});

export const memberRemovedEventSchema = z.object({
  type: z.literal('member.removed'),
  conversationId: z.string(),
  userId: idSchema,
});

export const typingEventSchema = z.object({
  type: z.literal('typing'),
  conversationId: z.string(),
  userId: idSchema,
});

export const pongEventSchema = z.object({ type: z.literal('pong') });

export const errorEventSchema = z.object({ type: z.literal('error'), message: z.string() });

export const realtimeEventSchema = z.union([
  messageEventSchema,
  readEventSchema,
  memberAddedEventSchema,
  memberRemovedEventSchema,
  typingEventSchema,
  pongEventSchema,
  errorEventSchema,
]);

export type RealtimeEvent = z.input<typeof realtimeEventSchema>;
export type MessageEvent = z.input<typeof messageEventSchema>;
/** The events that concern one conversation, delivered to its members. */
export type ConversationEvent = Extract<RealtimeEvent, { conversationId: string }>;
