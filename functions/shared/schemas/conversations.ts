import * as z from 'zod/mini';
import { idSchema, singleLineText, timestampSchema } from './common';
import { defineSchema } from './define';
import { messagePreviewSchema } from './messages';

export const roleSchema = /* @__PURE__ */ defineSchema(() =>
  z.enum(['owner', 'admin', 'member']).register(z.globalRegistry, { id: 'MemberRole' }),
);
export const conversationNameSchema = /* @__PURE__ */ singleLineText(100);

/** Cap per request so each membership change stays one atomic transaction (100 items at most). */
export const MAX_MEMBERS_PER_REQUEST = 98;

export const createConversationRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('direct'), userId: idSchema }),
      z.strictObject({
        type: z.literal('group'),
        name: conversationNameSchema,
        memberIds: z
          .array(idSchema)
          .check(z.maxLength(MAX_MEMBERS_PER_REQUEST, `must name at most ${MAX_MEMBERS_PER_REQUEST} users`)),
      }),
    ])
    .register(z.globalRegistry, { id: 'CreateConversationRequest' }),
);

export const updateConversationRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({ name: conversationNameSchema })
    .register(z.globalRegistry, { id: 'UpdateConversationRequest' }),
);

export const addMembersRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({
      userIds: z
        .array(idSchema)
        .check(
          z.minLength(1, 'must name at least one user'),
          z.maxLength(
            MAX_MEMBERS_PER_REQUEST,
            `must name at most ${MAX_MEMBERS_PER_REQUEST} users per request`,
          ),
        ),
    })
    .register(z.globalRegistry, { id: 'AddMembersRequest' }),
);

export const changeRoleRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({ role: z.enum(['admin', 'member']) }).register(z.globalRegistry, {
    id: 'ChangeRoleRequest',
    description: 'Ownership passes only when the last owner leaves',
  }),
);

export const memberSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      userId: idSchema,
      role: roleSchema,
      joinedAt: timestampSchema,
      lastReadMessageId: z.nullable(z.string()).check(z.describe("The member's read marker (read receipts)")),
      lastReadAt: z.nullable(timestampSchema),
      username: z.optional(z.string()),
      displayName: z.optional(z.string()),
    })
    .register(z.globalRegistry, { id: 'Member' }),
);

export const conversationSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      id: z.string(),
      type: z.enum(['direct', 'group']),
      name: z.nullable(z.string()),
      createdBy: idSchema,
      createdAt: timestampSchema,
      memberCount: z.int(),
      lastMessage: z.nullable(messagePreviewSchema),
      lastActivityAt: timestampSchema,
    })
    .register(z.globalRegistry, { id: 'Conversation' }),
);

export const conversationDetailsSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .extend(conversationSchema, { members: z.array(memberSchema), myRole: roleSchema })
    .register(z.globalRegistry, { id: 'ConversationDetails' }),
);

export const conversationSummarySchema = /* @__PURE__ */ defineSchema(() =>
  z
    .extend(conversationSchema, {
      members: z
        .optional(z.array(z.pick(memberSchema, { userId: true, role: true })))
        .check(
          z.describe('Present for conversations of up to 10 members; larger groups give memberCount only'),
        ),
      unreadCount: z.int().check(z.describe('Messages after your read marker; capped at 100 (show "99+")')),
      myRole: roleSchema,
    })
    .register(z.globalRegistry, { id: 'ConversationSummary' }),
);

export const conversationListSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({ items: z.array(conversationSummarySchema), nextCursor: z.nullable(z.string()) })
    .register(z.globalRegistry, { id: 'ConversationList' }),
);

export const listQuerySchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  }),
);

export const conversationParamsSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(100)) }),
);
export const memberParamsSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(100)), userId: idSchema }),
);

export type CreateConversationRequest = z.output<typeof createConversationRequestSchema>;
