/**
 * The WebSocket protocol: what a client may send (actions) and every event the server sends. The handlers
 * validate actions with these schemas; events are typed by them; docs/realtime.md describes the same shapes.
 */
import * as v from 'valibot';
import { idSchema, safeIntegerSchema, timestampSchema } from './common';
import { conversationSchema, memberSchema, roleSchema } from './conversations';
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

/**
 * Where an event stands in its recipient's own stream of changes: `seq` counts up by one per event for each
 * user (a gap means something was missed: sync), `cursor` is what `GET /sync?since=` takes to continue after it.
 */
const position = () => ({
  seq: v.pipe(
    safeIntegerSchema,
    v.description("The event's position in your own stream of changes (1, 2, 3, …)"),
  ),
  cursor: v.pipe(v.string(), v.description('Pass as `since` to GET /sync to continue after this event')),
});

export const messageEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.picklist(['message.created', 'message.updated', 'message.deleted']),
    conversationId: v.string(),
    /** As the HTTP API shows it; a deleted message has `content: null` and `deletedAt`. */
    message: messageSchema,
    mentioned: v.optional(
      v.pipe(
        v.literal(true),
        v.description(
          '`message.created` only, and only in the event of a member the message mentions (see `message.mentionedUserIds`)',
        ),
      ),
    ),
    ...position(),
  }),
);

export const readEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('conversation.read'),
    conversationId: v.string(),
    userId: idSchema,
    lastReadMessageId: v.string(),
    lastReadAt: v.nullable(timestampSchema),
    ...position(),
  }),
);

export const memberAddedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('member.added'),
    conversationId: v.string(),
    userId: idSchema,
    role: roleSchema,
    joinedAt: timestampSchema,
    lastReadMessageId: v.pipe(
      v.nullable(v.string()),
      v.description("The new member's read marker: a member joins with what came before read"),
    ),
    lastReadAt: v.nullable(timestampSchema),
    ...position(),
  }),
);

export const memberUpdatedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('member.updated'),
    conversationId: v.string(),
    userId: idSchema,
    role: roleSchema,
    ...position(),
  }),
);

export const memberRemovedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('member.removed'),
    conversationId: v.string(),
    userId: idSchema,
    ...position(),
  }),
);

/** The conversation as its new member first sees it; `members` only up to the read-receipt size. */
export const joinedConversationSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    ...conversationSchema.entries,
    myRole: roleSchema,
    members: v.optional(
      v.pipe(
        v.array(memberSchema),
        v.description('Members with roles and read markers, for conversations of up to 32 members'),
      ),
    ),
  }),
);

export const conversationJoinedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('conversation.joined'),
    conversationId: v.string(),
    conversation: joinedConversationSchema,
    ...position(),
  }),
);

export const conversationUpdatedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('conversation.updated'),
    conversationId: v.string(),
    name: v.nullable(v.string()),
    ...position(),
  }),
);

/** You muted or unmuted the conversation (on another device): only you get this. */
export const conversationMutedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('conversation.muted'),
    conversationId: v.string(),
    muted: v.boolean(),
    mutedUntil: v.optional(timestampSchema),
    ...position(),
  }),
);

/** A member added or removed a reaction; `count` is that emoji's count after the change (0: gone). */
export const reactionEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.picklist(['reaction.added', 'reaction.removed']),
    conversationId: v.string(),
    messageId: v.string(),
    userId: idSchema,
    emoji: v.string(),
    count: v.pipe(v.number(), v.integer(), v.minValue(0)),
    at: timestampSchema,
    ...position(),
  }),
);

export const typingEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({ type: v.literal('typing'), conversationId: v.string(), userId: idSchema }),
);

/**
 * A user's presence changed (realtime/presence.ts): to the other members of their direct conversations only, at
 * most one per user every 30 s; not part of the stream of changes (no `seq`, not in /sync).
 */
export const presenceChangedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('presence.changed'),
    userId: idSchema,
    online: v.boolean(),
    lastActiveAt: v.optional(timestampSchema),
  }),
);

export const pongEventSchema = /* @__PURE__ */ defineSchema(() => v.object({ type: v.literal('pong') }));

export const errorEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({ type: v.literal('error'), message: v.string() }),
);

/** Sent just before the server closes the connection, saying why (API Gateway closes with 1000 either way). */
export const connectionClosingEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.object({
    type: v.literal('connection.closing'),
    reason: v.picklist(['token-expired', 'connection-limit', 'session-ended']),
  }),
);

/** The events of a user's stream of changes: what `GET /sync` returns and the socket delivers live. */
export const feedEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.union([
    messageEventSchema,
    readEventSchema,
    memberAddedEventSchema,
    memberUpdatedEventSchema,
    memberRemovedEventSchema,
    conversationJoinedEventSchema,
    conversationUpdatedEventSchema,
    conversationMutedEventSchema,
    reactionEventSchema,
  ]),
);

export const realtimeEventSchema = /* @__PURE__ */ defineSchema(() =>
  v.union([
    messageEventSchema,
    readEventSchema,
    memberAddedEventSchema,
    memberUpdatedEventSchema,
    memberRemovedEventSchema,
    conversationJoinedEventSchema,
    conversationUpdatedEventSchema,
    conversationMutedEventSchema,
    reactionEventSchema,
    typingEventSchema,
    presenceChangedEventSchema,
    pongEventSchema,
    errorEventSchema,
    connectionClosingEventSchema,
  ]),
);

export type RealtimeEvent = v.InferInput<typeof realtimeEventSchema>;
export type FeedEvent = v.InferInput<typeof feedEventSchema>;
export type MessageEvent = v.InferInput<typeof messageEventSchema>;
export type ConnectionClosingReason = v.InferInput<typeof connectionClosingEventSchema>['reason'];
/** The events that concern one conversation, delivered to its members. */
export type ConversationEvent = Extract<RealtimeEvent, { conversationId: string }>;
