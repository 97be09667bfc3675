/**
 * Conversations, their members and roles. Membership changes read the members (Query, BatchGetItem) and write
 * in one conditional transaction (UpdateItem, ConditionCheckItem). A user is added only by someone they share
 * a conversation with, and not again after leaving until they agree (`consent-to-rejoin`).
 */
import { defineRoute } from '../route-definition';
import {
  addMembersRequestSchema,
  changeRoleRequestSchema,
  conversationDetailsSchema,
  conversationListSchema,
  conversationParamsSchema,
  createConversationRequestSchema,
  listQuerySchema,
  memberParamsSchema,
  memberSchema,
  updateConversationRequestSchema,
} from '../schemas/conversations';

export const createConversation = /* @__PURE__ */ defineRoute({
  name: 'create-conversation',
  method: 'POST',
  path: '/conversations',
  auth: 'user',
  summary: 'Start a direct conversation (201, or 200 with the existing one) or create a group',
  tag: 'Conversations',
  request: { body: createConversationRequestSchema },
  response: {
    status: 201,
    schema: conversationDetailsSchema,
    description: 'The conversation and its members',
  },
  alsoReturns: [
    { status: 200, description: 'The direct conversation with this user, which already existed' },
  ],
  errors: [403, 404, 409, 413, 415],
  access: {
    table: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
  },
  // Besides the default per-route limit: only group creations count here.
  limits: [{ name: 'new-groups', key: 'user', limit: 50, windowSeconds: 86400, countedBy: 'domain' }],
});

export const listConversations = /* @__PURE__ */ defineRoute({
  name: 'list-conversations',
  method: 'GET',
  path: '/conversations',
  auth: 'user',
  summary: "The caller's conversations, most recent activity first",
  tag: 'Conversations',
  request: { query: listQuerySchema },
  response: { status: 200, schema: conversationListSchema, description: 'A page of conversations' },
  access: { table: ['dynamodb:Query', 'dynamodb:BatchGetItem'] },
});

export const getConversation = /* @__PURE__ */ defineRoute({
  name: 'get-conversation',
  method: 'GET',
  path: '/conversations/{id}',
  auth: 'user',
  summary: 'A conversation with its members, their roles and read markers',
  tag: 'Conversations',
  request: { params: conversationParamsSchema },
  response: { status: 200, schema: conversationDetailsSchema, description: 'The conversation' },
  errors: [404],
  access: { table: ['dynamodb:Query', 'dynamodb:BatchGetItem'] },
});

export const updateConversation = /* @__PURE__ */ defineRoute({
  name: 'update-conversation',
  method: 'PATCH',
  path: '/conversations/{id}',
  auth: 'user',
  summary: 'Rename a group (owners and admins)',
  tag: 'Conversations',
  request: { params: conversationParamsSchema, body: updateConversationRequestSchema },
  response: { status: 200, schema: conversationDetailsSchema, description: 'The renamed conversation' },
  errors: [403, 404, 409, 413, 415],
  access: {
    table: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  },
});

export const addMembers = /* @__PURE__ */ defineRoute({
  name: 'add-members',
  method: 'POST',
  path: '/conversations/{id}/members',
  auth: 'user',
  summary: 'Add members to a group (owners and admins)',
  tag: 'Conversations',
  request: { params: conversationParamsSchema, body: addMembersRequestSchema },
  response: {
    status: 200,
    schema: conversationDetailsSchema,
    description: 'The conversation with its new members',
  },
  errors: [403, 404, 409, 413, 415],
  access: {
    table: [
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
    ],
  },
});

export const removeMember = /* @__PURE__ */ defineRoute({
  name: 'remove-member',
  method: 'DELETE',
  path: '/conversations/{id}/members/{userId}',
  auth: 'user',
  summary: 'Remove a member (owners and admins), or leave (your own id)',
  tag: 'Conversations',
  request: { params: memberParamsSchema },
  response: { status: 204, description: 'Removed; the last owner leaving hands ownership on' },
  errors: [403, 404, 409],
  access: {
    table: [
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ],
  },
});

export const consentToRejoin = /* @__PURE__ */ defineRoute({
  name: 'consent-to-rejoin',
  method: 'PUT',
  path: '/conversations/{id}/rejoin-consent',
  auth: 'user',
  summary: 'Agree to be added again to a group you left (until then, nobody can add you back)',
  tag: 'Conversations',
  request: { params: conversationParamsSchema },
  response: { status: 204, description: 'Agreed; members you share a conversation with may add you again' },
  errors: [404],
  access: { table: ['dynamodb:UpdateItem'] },
});

export const changeMemberRole = /* @__PURE__ */ defineRoute({
  name: 'change-member-role',
  method: 'PATCH',
  path: '/conversations/{id}/members/{userId}',
  auth: 'user',
  summary: 'Promote a member to admin or demote an admin (owners and admins)',
  tag: 'Conversations',
  request: { params: memberParamsSchema, body: changeRoleRequestSchema },
  response: { status: 200, schema: memberSchema, description: 'The member with the new role' },
  errors: [403, 404, 409, 413, 415],
  access: {
    table: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  },
});
