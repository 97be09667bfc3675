/**
 * The WebSocket protocol: what a client may send (actions) and every event the server sends. The handlers
 * validate actions with these schemas; events are typed by them; docs/realtime.md describes the same shapes.
 */
import * as v from 'valibot';
import { idSchema, timestampSchema } from './common';
import { roleSchema } from './conversations';
import { defineSchema } from './define';
import { strictObject } from './json-objects';
import { messageSchema } from './messages';

// Client actions: API Gateway routes a message by its `action` (see ws-routes.ts).

export const typingActionSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    action: v.literal('typing'),
    conversationId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  }),
);

export const pingActionSchema = /* @__PURE__ */ defineSchema(() => v.object({ action: v.literal('ping') }));

// Server events.

export const messageEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.picklist(['message.created', 'message.updated', 'message.deleted']),
    conversationId: v.string(),
    /** As the HTTP API shows it; a deleted message has `content: null` and `deletedAt`. */
    message: messageSchema,
  }),
);

export const readEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('conversation.read'),
    conversationId: v.string(),
    userId: idSchema,
    lastReadMessageId: v.string(),
    lastReadAt: v.nullable(timestampSchema),
  }),
);

export const memberAddedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('member.added'),
    conversationId: v.string(),
    userId: idSchema,
    role: roleSchema,
    joinedAt: timestampSchema,
  }),
);

export const memberRemovedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({ type: v.literal('member.removed'), conversationId: v.string(), userId: idSchema }),
);

export const typingEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({ type: v.literal('typing'), conversationId: v.string(), userId: idSchema }),
);

export const pongEventSchema = /* @__PURE__ */ defineSchema(() => v.object({ type: v.literal('pong') }));

export const errorEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({ type: v.literal('error'), message: v.string() }),
);

export const realtimeEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.union([
    messageEventSchema,
    readEventSchema,
    memberAddedEventSchema,
    memberRemovedEventSchema,
    typingEventSchema,
    pongEventSchema,
    errorEventSchema,
  ]),
);

export type RealtimeEvent = v.InferInput<typeof realtimeEventSchema>;
export type MessageEvent = v.InferInput<typeof messageEventSchema>;
/** The events that concern one conversation, delivered to its members. */
export type ConversationEvent = Extract<RealtimeEvent, { conversationId: string }>;
