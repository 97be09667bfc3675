/**
 * The WebSocket protocol: what a client may send (actions) and every event the server sends. The handlers
 * validate actions with these schemas; events are typed by them; docs/realtime.md describes the same shapes.
 */
import * as z from 'zod/mini';
import { idSchema, timestampSchema } from './common';
import { conversationSchema, memberSchema, roleSchema } from './conversations';
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

/**
 * Where an event stands in its recipient's own stream of changes: `seq` counts up by one per event for each
 * user (a gap means something was missed: sync), `cursor` is what `GET /sync?since=` takes to continue after it.
 */
const position = () => ({
  seq: z.int().check(z.describe("The event's position in your own stream of changes (1, 2, 3, …)")),
  cursor: z.string().check(z.describe('Pass as `since` to GET /sync to continue after this event')),
});

export const messageEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.enum(['message.created', 'message.updated', 'message.deleted']),
    conversationId: z.string(),
    /** As the HTTP API shows it; a deleted message has `content: null` and `deletedAt`. */
    message: messageSchema,
    ...position(),
  }),
);

export const readEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('conversation.read'),
    conversationId: z.string(),
    userId: idSchema,
    lastReadMessageId: z.string(),
    lastReadAt: z.nullable(timestampSchema),
    ...position(),
  }),
);

export const memberAddedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('member.added'),
    conversationId: z.string(),
    userId: idSchema,
    role: roleSchema,
    joinedAt: timestampSchema,
    ...position(),
  }),
);

export const memberUpdatedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('member.updated'),
    conversationId: z.string(),
    userId: idSchema,
    role: roleSchema,
    ...position(),
  }),
);

export const memberRemovedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('member.removed'),
    conversationId: z.string(),
    userId: idSchema,
    ...position(),
  }),
);

/** The conversation as its new member first sees it; `members` only up to the read-receipt size. */
export const joinedConversationSchema = /* @__PURE__ */ defineSchema(() =>
  z.extend(conversationSchema, {
    myRole: roleSchema,
    members: z
      .optional(z.array(memberSchema))
      .check(z.describe('Members with roles and read markers, for conversations of up to 32 members')),
  }),
);

export const conversationJoinedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('conversation.joined'),
    conversationId: z.string(),
    conversation: joinedConversationSchema,
    ...position(),
  }),
);

export const conversationUpdatedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('conversation.updated'),
    conversationId: z.string(),
    name: z.nullable(z.string()),
    ...position(),
  }),
);

export const typingEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({ type: z.literal('typing'), conversationId: z.string(), userId: idSchema }),
);

export const pongEventSchema = /* @__PURE__ */ defineSchema(() => z.object({ type: z.literal('pong') }));

export const errorEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({ type: z.literal('error'), message: z.string() }),
);

/** Sent just before the server closes the connection, saying why (API Gateway closes with 1000 either way). */
export const connectionClosingEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({
    type: z.literal('connection.closing'),
    reason: z.enum(['token-expired', 'connection-limit', 'session-ended']),
  }),
);

/** The events of a user's stream of changes: what `GET /sync` returns and the socket delivers live. */
export const feedEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.union([
    messageEventSchema,
    readEventSchema,
    memberAddedEventSchema,
    memberUpdatedEventSchema,
    memberRemovedEventSchema,
    conversationJoinedEventSchema,
    conversationUpdatedEventSchema,
  ]),
);

export const realtimeEventSchema = /* @__PURE__ */ defineSchema(() =>
  z.union([
    messageEventSchema,
    readEventSchema,
    memberAddedEventSchema,
    memberUpdatedEventSchema,
    memberRemovedEventSchema,
    conversationJoinedEventSchema,
    conversationUpdatedEventSchema,
    typingEventSchema,
    pongEventSchema,
    errorEventSchema,
    connectionClosingEventSchema,
  ]),
);

export type RealtimeEvent = z.input<typeof realtimeEventSchema>;
export type FeedEvent = z.input<typeof feedEventSchema>;
export type MessageEvent = z.input<typeof messageEventSchema>;
export type ConnectionClosingReason = z.input<typeof connectionClosingEventSchema>['reason'];
/** The events that concern one conversation, delivered to its members. */
export type ConversationEvent = Extract<RealtimeEvent, { conversationId: string }>;
