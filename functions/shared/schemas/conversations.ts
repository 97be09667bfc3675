import * as v from 'valibot';
import { idSchema, integerParameter, safeIntegerSchema, singleLineText, timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject, variant } from './json-objects';
import { messagePreviewSchema } from './messages';
import { presenceSchema } from './users';

export const roleSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(v.picklist(['owner', 'admin', 'member']), v.metadata({ id: 'MemberRole' })),
);
export const conversationNameSchema = /* @__PURE__ */ singleLineText(100);

/** Cap per request so each membership change stays one atomic transaction (100 items at most). */
export const MAX_MEMBERS_PER_REQUEST = 98;

export const createConversationRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    variant('type', [
      strictObject({
        type: v.literal('direct'),
        userId: v.pipe(idSchema, v.description('The other user; your own id starts your notes to self')),
      }),
      strictObject({
        type: v.literal('group'),
        name: conversationNameSchema,
        memberIds: v.pipe(
          v.array(idSchema),
          v.maxLength(MAX_MEMBERS_PER_REQUEST, `must name at most ${MAX_MEMBERS_PER_REQUEST} users`),
        ),
      }),
    ]),
    v.metadata({ id: 'CreateConversationRequest' }),
  ),
);

export const updateConversationRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(strictObject({ name: conversationNameSchema }), v.metadata({ id: 'UpdateConversationRequest' })),
);

export const addMembersRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      userIds: v.pipe(
        v.array(idSchema),
        v.minLength(1, 'must name at least one user'),
        v.maxLength(
          MAX_MEMBERS_PER_REQUEST,
          `must name at most ${MAX_MEMBERS_PER_REQUEST} users per request`,
        ),
      ),
    }),
    v.metadata({ id: 'AddMembersRequest' }),
  ),
);

export const changeRoleRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({ role: v.picklist(['admin', 'member']) }),
    v.metadata({ id: 'ChangeRoleRequest', description: 'Ownership passes only when the last owner leaves' }),
  ),
);

export const memberSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      userId: idSchema,
      role: roleSchema,
      joinedAt: timestampSchema,
      lastReadMessageId: v.pipe(
        v.nullable(v.string()),
        v.description("The member's read marker (read receipts)"),
      ),
      lastReadAt: v.nullable(timestampSchema),
      username: v.optional(v.string()),
      displayName: v.optional(v.string()),
      // Shown by GET /conversations/{id}.
      presence: v.optional(presenceSchema),
    }),
    v.metadata({ id: 'Member' }),
  ),
);

export const conversationSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: v.string(),
      type: v.picklist(['direct', 'group']),
      name: v.nullable(v.string()),
      createdBy: idSchema,
      createdAt: timestampSchema,
      memberCount: safeIntegerSchema,
      lastMessage: v.nullable(messagePreviewSchema),
      lastActivityAt: timestampSchema,
    }),
    v.metadata({ id: 'Conversation' }),
  ),
);

/**
 * The caller's own mute of a conversation (PUT /conversations/{id}/mute); nobody else sees it. A function, so
 * that nothing is built unless a schema using it is (see define.ts).
 */
const muteEntries = () => ({
  muted: v.pipe(
    v.boolean(),
    v.description('You muted it (an expired mute reads as false); unread counts go on'),
  ),
  mutedUntil: v.optional(
    v.pipe(timestampSchema, v.description('When your mute ends; absent while muted: until you unmute')),
  ),
});

export const conversationDetailsSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      ...conversationSchema.entries,
      members: v.array(memberSchema),
      myRole: roleSchema,
      ...muteEntries(),
    }),
    v.metadata({ id: 'ConversationDetails' }),
  ),
);

export const conversationSummarySchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      ...conversationSchema.entries,
      members: v.optional(
        v.pipe(
          v.array(v.object({ userId: memberSchema.entries.userId, role: memberSchema.entries.role })),
          v.description('Present for conversations of up to 10 members; larger groups give memberCount only'),
        ),
      ),
      unreadCount: v.pipe(
        safeIntegerSchema,
        v.description('Messages after your read marker; capped at 100 (show "99+")'),
      ),
      unreadMentionCount: v.pipe(
        safeIntegerSchema,
        v.description('Of those, the messages that mention you (a mention badge); capped at 100'),
      ),
      myRole: roleSchema,
      ...muteEntries(),
    }),
    v.metadata({ id: 'ConversationSummary' }),
  ),
);

export const conversationListSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({ items: v.array(conversationSummarySchema), nextCursor: v.nullable(v.string()) }),
    v.metadata({ id: 'ConversationList' }),
  ),
);

export const listQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    limit: integerParameter(1, 100, 20),
    cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  }),
);

export const conversationParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)) }),
);
export const memberParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)), userId: idSchema }),
);

export type CreateConversationRequest = v.InferOutput<typeof createConversationRequestSchema>;
