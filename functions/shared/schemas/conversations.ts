import * as z from 'zod';
import { idSchema, singleLineText, timestampSchema } from './common';
import { messagePreviewSchema } from './messages';

export const roleSchema = z.enum(['owner', 'admin', 'member']).meta({ id: 'MemberRole' });
export const conversationNameSchema = singleLineText(100);

/** Cap per request so each membership change stays one atomic transaction (100 items at most). */
export const MAX_MEMBERS_PER_REQUEST = 98;

const memberIdListSchema = z
  .array(idSchema)
  .min(1, 'must name at least one user')
  .max(MAX_MEMBERS_PER_REQUEST, `must name at most ${MAX_MEMBERS_PER_REQUEST} users per request`);

export const createConversationRequestSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('direct'), userId: idSchema }),
    z.strictObject({
      type: z.literal('group'),
      name: conversationNameSchema,
      memberIds: z
        .array(idSchema)
        .max(MAX_MEMBERS_PER_REQUEST, `must name at most ${MAX_MEMBERS_PER_REQUEST} users`),
    }),
  ])
  .meta({ id: 'CreateConversationRequest' });

export const updateConversationRequestSchema = z
  .strictObject({ name: conversationNameSchema })
  .meta({ id: 'UpdateConversationRequest' });

export const addMembersRequestSchema = z
  .strictObject({ userIds: memberIdListSchema })
  .meta({ id: 'AddMembersRequest' });

export const changeRoleRequestSchema = z
  .strictObject({ role: z.enum(['admin', 'member']) })
  .meta({ id: 'ChangeRoleRequest', description: 'Ownership passes only when the last owner leaves' });

export const memberSchema = z
  .object({
    userId: idSchema,
    role: roleSchema,
    joinedAt: timestampSchema,
    lastReadMessageId: z.string().nullable().describe("The member's read marker (read receipts)"),
    lastReadAt: timestampSchema.nullable(),
    username: z.string().optional(),
    displayName: z.string().optional(),
  })
  .meta({ id: 'Member' });

export const conversationSchema = z
  .object({
    id: z.string(),
    type: z.enum(['direct', 'group']),
    name: z.string().nullable(),
    createdBy: idSchema,
    createdAt: timestampSchema,
    memberCount: z.number().int(),
    lastMessage: messagePreviewSchema.nullable(),
    lastActivityAt: timestampSchema,
  })
  .meta({ id: 'Conversation' });

export const conversationDetailsSchema = conversationSchema
  .extend({ members: z.array(memberSchema), myRole: roleSchema })
  .meta({ id: 'ConversationDetails' });

export const conversationSummarySchema = conversationSchema
  .extend({
    members: z
      .array(memberSchema.pick({ userId: true, role: true }))
      .optional()
      .describe('Present for conversations of up to 10 members; larger groups give memberCount only'),
    unreadCount: z.number().int().describe('Messages after your read marker; capped at 100 (show "99+")'),
    myRole: roleSchema,
  })
  .meta({ id: 'ConversationSummary' });

export const conversationListSchema = z
  .object({ items: z.array(conversationSummarySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'ConversationList' });

export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1024).optional(),
});

export const conversationParamsSchema = z.strictObject({ id: z.string().min(1).max(100) });
export const memberParamsSchema = z.strictObject({ id: z.string().min(1).max(100), userId: idSchema });

export type CreateConversationRequest = z.output<typeof createConversationRequestSchema>;
