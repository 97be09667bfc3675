/**
 * Administration: users, moderation, the report queue and the audit log. Every route here is for
 * administrators only: its handler uses `adminHandler` (http/admin-handler.ts), which reads the caller's role
 * from the table on every call (hence GetItem on each) and answers 403 `admin-required` otherwise.
 */
import { defineRoute } from '../route-definition';
import { accountDeletionSchema } from '../schemas/account-data';
import {
  adminMessageParamsSchema,
  adminUserDetailsSchema,
  adminUserPageSchema,
  adminUserQuerySchema,
  adminUserSchema,
  auditPageSchema,
  pageQuerySchema,
  reportIdParamsSchema,
  reportPageSchema,
  reportSchema,
  resolveReportRequestSchema,
} from '../schemas/admin';
import { userIdParamsSchema } from '../schemas/users';

export const adminListUsers = /* @__PURE__ */ defineRoute({
  name: 'admin-list-users',
  method: 'GET',
  path: '/admin/users',
  auth: 'user',
  summary: 'Administrators: find users by username prefix (any case), in username order',
  tag: 'Administration',
  request: { query: adminUserQuerySchema },
  response: { status: 200, schema: adminUserPageSchema, description: 'A page of accounts' },
  errors: [403],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
});

export const adminGetUser = /* @__PURE__ */ defineRoute({
  name: 'admin-get-user',
  method: 'GET',
  path: '/admin/users/{id}',
  auth: 'user',
  summary: 'Administrators: one account, with its role, disabled state, live sessions and last activity',
  tag: 'Administration',
  request: { params: userIdParamsSchema },
  response: { status: 200, schema: adminUserDetailsSchema, description: 'The account' },
  errors: [403, 404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
});

export const adminDeleteUser = /* @__PURE__ */ defineRoute({
  name: 'admin-delete-user',
  method: 'DELETE',
  path: '/admin/users/{id}',
  auth: 'user',
  summary:
    'Administrators: delete an account as its owner could (it ends at once; its data is removed within minutes)',
  tag: 'Administration',
  request: { params: userIdParamsSchema },
  response: {
    status: 202,
    schema: accountDeletionSchema,
    description:
      'The account has ended (or was already being deleted); its data is being removed in the background',
  },
  errors: [403, 404, 409],
  // GetItem: the caller's role, the profile; DeleteItem/PutItem: the one transaction (profile, claim tombstone,
  // deletion marker, audit record); Query/BatchWriteItem: ending the sessions.
  access: {
    table: [
      'dynamodb:GetItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:BatchWriteItem',
    ],
  },
});

export const adminDisableUser = /* @__PURE__ */ defineRoute({
  name: 'admin-disable-user',
  method: 'POST',
  path: '/admin/users/{id}/disable',
  auth: 'user',
  summary:
    'Administrators: disable an account (no login or refresh, 403 account-disabled); its sessions end and its WebSockets close',
  tag: 'Administration',
  request: { params: userIdParamsSchema },
  response: { status: 200, schema: adminUserSchema, description: 'The account, disabled (also when it was)' },
  errors: [403, 404, 409],
  // UpdateItem/PutItem: the disabled state and its audit record (one transaction); Query/BatchWriteItem:
  // ending the sessions.
  access: {
    table: [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:BatchWriteItem',
    ],
  },
});

export const adminEnableUser = /* @__PURE__ */ defineRoute({
  name: 'admin-enable-user',
  method: 'POST',
  path: '/admin/users/{id}/enable',
  auth: 'user',
  summary: 'Administrators: enable a disabled account again (it logs in anew)',
  tag: 'Administration',
  request: { params: userIdParamsSchema },
  response: { status: 200, schema: adminUserSchema, description: 'The account, enabled (also when it was)' },
  errors: [403, 404, 409],
  access: { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] },
});

export const adminRemoveMessage = /* @__PURE__ */ defineRoute({
  name: 'admin-remove-message',
  method: 'DELETE',
  path: '/admin/conversations/{id}/messages/{messageId}',
  auth: 'user',
  summary: 'Administrators: remove a message from any conversation; its tombstone says `removedByModeration`',
  tag: 'Administration',
  request: { params: adminMessageParamsSchema },
  response: { status: 204, description: 'The message is removed (also when it already was deleted)' },
  errors: [403, 404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] },
});

export const adminListAudit = /* @__PURE__ */ defineRoute({
  name: 'admin-list-audit',
  method: 'GET',
  path: '/admin/audit',
  auth: 'user',
  summary: 'Administrators: the audit log of administrative actions, newest first',
  tag: 'Administration',
  request: { query: pageQuerySchema },
  response: { status: 200, schema: auditPageSchema, description: 'A page of the log' },
  errors: [403],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
});

export const adminListReports = /* @__PURE__ */ defineRoute({
  name: 'admin-list-reports',
  method: 'GET',
  path: '/admin/reports',
  auth: 'user',
  summary: 'Administrators: the report queue, open reports first (oldest first), then resolved ones',
  tag: 'Administration',
  request: { query: pageQuerySchema },
  response: { status: 200, schema: reportPageSchema, description: 'A page of reports' },
  errors: [403],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
});

export const adminResolveReport = /* @__PURE__ */ defineRoute({
  name: 'admin-resolve-report',
  method: 'POST',
  path: '/admin/reports/{id}/resolve',
  auth: 'user',
  summary:
    'Administrators: resolve an open report by dismissing it, removing the reported message, or disabling the reported user (or sender)',
  tag: 'Administration',
  request: { params: reportIdParamsSchema, body: resolveReportRequestSchema },
  response: { status: 200, schema: reportSchema, description: 'The resolved report' },
  errors: [403, 404, 409],
  access: {
    table: [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:BatchWriteItem',
    ],
  },
});
