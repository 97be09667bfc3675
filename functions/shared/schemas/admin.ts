/** Administration (users, moderation, the audit log) and reports: requests and responses. */
import * as v from 'valibot';
import { idSchema, integerParameter, timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';

export const REPORT_REASONS = [
  'spam',
  'harassment',
  'hate',
  'violence',
  'sexual',
  'illegal',
  'other',
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
export const RESOLUTIONS = ['dismiss', 'remove-message', 'disable-user'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const AUDIT_ACTIONS = [
  'role.grant',
  'role.revoke',
  'user.disable',
  'user.enable',
  'user.delete',
  'message.remove',
  'report.resolve',
] as const;

const cursorParameter = () => v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024)));
const nextCursor = () =>
  v.pipe(v.nullable(v.string()), v.description('Pass as `cursor` for the next page; null at the end'));

export const adminUserQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    query: v.optional(
      v.pipe(
        v.string(),
        v.maxLength(32, 'must be at most 32 characters'),
        v.regex(/^[A-Za-z0-9_.-]*$/, 'may contain only letters, digits, "_", "." and "-" (as usernames)'),
        v.description('A username prefix, any case; empty or absent lists every user in username order'),
      ),
      '',
    ),
    limit: integerParameter(1, 100, 20),
    cursor: cursorParameter(),
  }),
);

export const adminUserSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: idSchema,
      username: v.string(),
      displayName: v.string(),
      location: v.nullable(v.string()),
      avatarUrl: v.nullable(v.string()),
      createdAt: timestampSchema,
      updatedAt: timestampSchema,
      role: v.pipe(v.nullable(v.picklist(['admin'])), v.description('The application role; null: none')),
      disabled: v.boolean(),
      disabledAt: v.nullable(timestampSchema),
    }),
    v.metadata({ id: 'AdminUser', description: 'An account as administrators see it' }),
  ),
);

export const adminUserPageSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({ items: v.array(adminUserSchema), nextCursor: nextCursor() }),
    v.metadata({ id: 'AdminUserPage' }),
  ),
);

export const adminUserDetailsSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      ...adminUserSchema.entries,
      sessionsCount: v.pipe(v.number(), v.integer(), v.description('Live sessions (at most 100 counted)')),
      lastActiveAt: v.pipe(
        v.nullable(timestampSchema),
        v.description('The latest login or token refresh among the live sessions; null when it has none'),
      ),
    }),
    v.metadata({ id: 'AdminUserDetails' }),
  ),
);

export const auditRecordSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: v.pipe(v.string(), v.description('A ULID')),
      actorId: v.pipe(v.nullable(idSchema), v.description('The administrator; null for `npm run admin`')),
      actor: v.pipe(v.string(), v.description("The administrator's username, or `command-line`")),
      action: v.picklist(AUDIT_ACTIONS),
      target: v.object({
        type: v.picklist(['user', 'message', 'report']),
        id: v.string(),
        conversationId: v.optional(v.string()),
      }),
      at: timestampSchema,
      details: v.optional(v.record(v.string(), v.string())),
    }),
    v.metadata({ id: 'AuditRecord' }),
  ),
);

export const pageQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({ limit: integerParameter(1, 100, 50), cursor: cursorParameter() }),
);

export const auditPageSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({ items: v.array(auditRecordSchema), nextCursor: nextCursor() }),
    v.metadata({ id: 'AuditPage', description: 'Administrative actions, newest first' }),
  ),
);

export const adminMessageParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({ id: idSchema, messageId: idSchema }),
);

export const reportIdParamsSchema = /* @__PURE__ */ defineSchema(() => strictObject({ id: idSchema }));

export const createReportRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      conversationId: v.optional(
        v.pipe(idSchema, v.description("A message report: the message's conversation")),
      ),
      messageId: v.optional(v.pipe(idSchema, v.description('A message report: the message'))),
      userId: v.optional(v.pipe(idSchema, v.description('A user report: the user'))),
      reason: v.picklist(REPORT_REASONS, `must be one of ${REPORT_REASONS.join(', ')}`),
      details: v.optional(
        v.pipe(
          v.string(),
          v.trim(),
          v.maxLength(1000, 'must be at most 1000 characters'),
          v.description('What the moderators should know'),
        ),
      ),
    }),
    v.check(
      (body) =>
        body.userId !== undefined
          ? body.messageId === undefined && body.conversationId === undefined
          : body.messageId !== undefined && body.conversationId !== undefined,
      'must name either a message (conversationId and messageId) or a user (userId)',
    ),
    v.metadata({
      id: 'CreateReportRequest',
      description: 'Report either a message (conversationId and messageId) or a user (userId)',
    }),
  ),
);

export const reportSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: v.string(),
      reporterId: idSchema,
      target: v.variant('type', [
        v.object({
          type: v.literal('message'),
          conversationId: v.string(),
          messageId: v.string(),
          senderId: idSchema,
          text: v.pipe(v.nullable(v.string()), v.description('The text when reported; null for media')),
        }),
        v.object({ type: v.literal('user'), userId: idSchema }),
      ]),
      reason: v.picklist(REPORT_REASONS),
      details: v.nullable(v.string()),
      createdAt: timestampSchema,
      status: v.picklist(['open', 'resolved']),
      resolution: v.nullable(
        v.object({ action: v.picklist(RESOLUTIONS), by: idSchema, at: timestampSchema }),
      ),
    }),
    v.metadata({ id: 'Report' }),
  ),
);

/** What the reporter gets back: their report, without the moderators' snapshot of the message. */
export const createdReportSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: v.string(),
      reason: v.picklist(REPORT_REASONS),
      createdAt: timestampSchema,
      status: v.picklist(['open', 'resolved']),
    }),
    v.metadata({ id: 'CreatedReport' }),
  ),
);

export const reportPageSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({ items: v.array(reportSchema), nextCursor: nextCursor() }),
    v.metadata({ id: 'ReportPage', description: 'Open reports first (oldest first), then resolved ones' }),
  ),
);

export const resolveReportRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({ action: v.picklist(RESOLUTIONS, `must be one of ${RESOLUTIONS.join(', ')}`) }),
    v.metadata({ id: 'ResolveReportRequest' }),
  ),
);

export type CreateReportRequest = v.InferOutput<typeof createReportRequestSchema>;
