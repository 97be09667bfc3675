/**
 * The WebSocket protocol: what a client may send (actions) and every event the server sends. The handlers
 * validate actions with these schemas; events are typed by them; docs/realtime.md describes the same shapes.
 */
import * as z from 'zod/mini';
import { idSchema, timestampSchema } from './common';
import { roleSchema } from './conversations';
import { defineSchema } from './define';
import { messageSchema } from './messages';

// Client actions: API Gateway routes a message by its `action` (see ws-routes.ts).

export const typingActionSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({
    action: z.literal('typing'),
    conversationId: z.string().check(z.minLength(1), z.maxLength(100)),
  }),
);

export const pingActionSchema = /* @__PURE__ */ defineSchema(() => z.object({ action: z.literal('ping') }));

// Server events.

export const messageEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.enum(['message.created', 'message.updated', 'message.deleted']),
    conversationId: z.string(),
    /** As the HTTP API shows it; a deleted message has `content: null` and `deletedAt`. */
    message: messageSchema,
  }),
);

export const readEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('conversation.read'),
    conversationId: z.string(),
    userId: idSchema,
    lastReadMessageId: z.string(),
    lastReadAt: z.nullable(timestampSchema),
  }),
);

export const memberAddedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('member.added'),
    conversationId: z.string(),
    userId: idSchema,
    role: roleSchema,
    joinedAt: timestampSchema,
  }),
);

export const memberRemovedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({ type: z.literal('member.removed'), conversationId: z.string(), userId: idSchema }),
);

export const typingEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({ type: z.literal('typing'), conversationId: z.string(), userId: idSchema }),
);

export const pongEventSchema = /* @__PURE__ */ defineSchema(() => z.object({ type: z.literal('pong') }));

export const errorEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({ type: z.literal('error'), message: z.string() }),
);

export const realtimeEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.union([
    messageEventSchema,
    readEventSchema,
    memberAddedEventSchema,
    memberRemovedEventSchema,
    typingEventSchema,
    pongEventSchema,
    errorEventSchema,
  ]),
);

export type RealtimeEvent = z.input<typeof realtimeEventSchema>;
export type MessageEvent = z.input<typeof messageEventSchema>;
/** The events that concern one conversation, delivered to its members. */
export type ConversationEvent = Extract<RealtimeEvent, { conversationId: string }>;
