/**
 * The HTTP API: every route, its handler, its auth, its schemas and the table access its function needs.
 * The CDK stack, the local gateway, the OpenAPI document and the handlers themselves all read this table.
 */

import { defineRoute, type RouteDefinition, type TableAction } from './route-definition';
import {
  loginRequestSchema,
  loginResponseSchema,
  refreshTokenRequestSchema,
  tokenPairSchema,
} from './schemas/auth';
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
} from './schemas/conversations';
import { healthResponseSchema } from './schemas/health';
import { createMediaRequestSchema, mediaParamsSchema, mediaSchema, mediaUploadSchema } from './schemas/media';
import {
  editMessageRequestSchema,
  legacyMessagesQuerySchema,
  legacySendMessageRequestSchema,
  markReadRequestSchema,
  messagePageQuerySchema,
  messagePageSchema,
  messageParamsSchema,
  messageSchema,
  readMarkerSchema,
  sendMessageRequestSchema,
} from './schemas/messages';
import {
  ownProfileSchema,
  signUpRequestSchema,
  updateProfileRequestSchema,
  userIdParamsSchema,
  usernameParamsSchema,
  userProfileSchema,
} from './schemas/users';

export const health = defineRoute({
  name: 'health',
  method: 'GET',
  path: '/health',
  auth: 'public',
  summary: 'Liveness check',
  tag: 'System',
  response: { status: 200, schema: healthResponseSchema, description: 'The API is up' },
  access: { table: [], signingKey: false },
});

export const openApi = defineRoute({
  name: 'openapi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'public',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'System',
  response: { status: 200, description: 'The OpenAPI document' },
  access: { table: [], signingKey: false },
});

export const signUp = defineRoute({
  name: 'sign-up',
  method: 'POST',
  path: '/users',
  aliases: ['/user'],
  auth: 'public',
  summary: 'Create an account',
  tag: 'Accounts',
  request: { body: signUpRequestSchema },
  response: { status: 201, schema: ownProfileSchema, description: 'The new account' },
  errors: [409, 413, 415],
  access: { table: ['dynamodb:PutItem'], signingKey: false },
  memoryMb: 1024,
});

export const login = defineRoute({
  name: 'login',
  method: 'POST',
  path: '/login',
  auth: 'public',
  summary: 'Exchange username and password for tokens',
  tag: 'Accounts',
  request: { body: loginRequestSchema },
  response: {
    status: 200,
    schema: loginResponseSchema,
    description: 'An access token, a refresh token and the user',
  },
  errors: [401],
  access: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], signingKey: true },
  memoryMb: 1024,
});

export const refreshToken = defineRoute({
  name: 'refresh-token',
  method: 'POST',
  path: '/token/refresh',
  auth: 'public',
  summary: 'Exchange a refresh token for a new token pair (the old refresh token stops working)',
  tag: 'Accounts',
  request: { body: refreshTokenRequestSchema },
  response: { status: 200, schema: tokenPairSchema, description: 'A new token pair' },
  errors: [401],
  access: { table: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], signingKey: true },
});

export const logout = defineRoute({
  name: 'logout',
  method: 'POST',
  path: '/logout',
  auth: 'public',
  summary: 'Revoke a refresh token',
  tag: 'Accounts',
  request: { body: refreshTokenRequestSchema },
  response: { status: 204, description: 'The refresh token no longer works (also when it never did)' },
  errors: [413, 415],
  access: { table: ['dynamodb:DeleteItem'], signingKey: false },
});

export const getMe = defineRoute({
  name: 'get-me',
  method: 'GET',
  path: '/users/me',
  auth: 'user',
  summary: "The caller's own profile",
  tag: 'Users',
  response: { status: 200, schema: ownProfileSchema, description: 'The profile' },
  access: { table: ['dynamodb:GetItem'], signingKey: true },
});

export const updateMe = defineRoute({
  name: 'update-me',
  method: 'PATCH',
  path: '/users/me',
  auth: 'user',
  summary: "Change the caller's display name or location",
  tag: 'Users',
  request: { body: updateProfileRequestSchema },
  response: { status: 200, schema: ownProfileSchema, description: 'The updated profile' },
  errors: [413, 415],
  access: { table: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], signingKey: true },
});

export const getUser = defineRoute({
  name: 'get-user',
  method: 'GET',
  path: '/users/{id}',
  auth: 'user',
  summary: "Another user's public profile",
  tag: 'Users',
  request: { params: userIdParamsSchema },
  response: { status: 200, schema: userProfileSchema, description: 'The public profile' },
  errors: [404],
  access: { table: ['dynamodb:GetItem'], signingKey: true },
});

export const findUserByUsername = defineRoute({
  name: 'find-user-by-username',
  method: 'GET',
  path: '/users/by-username/{username}',
  auth: 'user',
  summary: 'Find a user by username (case-insensitive)',
  tag: 'Users',
  request: { params: usernameParamsSchema },
  response: { status: 200, schema: userProfileSchema, description: 'The public profile' },
  errors: [404],
  access: { table: ['dynamodb:GetItem'], signingKey: true },
});

const MEMBERSHIP_CHANGE: TableAction[] = [
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
];

export const createConversation = defineRoute({
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
  errors: [404, 409, 413, 415],
  access: {
    table: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
    signingKey: true,
  },
});

export const listConversations = defineRoute({
  name: 'list-conversations',
  method: 'GET',
  path: '/conversations',
  auth: 'user',
  summary: "The caller's conversations, most recent activity first",
  tag: 'Conversations',
  request: { query: listQuerySchema },
  response: { status: 200, schema: conversationListSchema, description: 'A page of conversations' },
  access: { table: ['dynamodb:Query', 'dynamodb:BatchGetItem'], signingKey: true },
});

export const getConversation = defineRoute({
  name: 'get-conversation',
  method: 'GET',
  path: '/conversations/{id}',
  auth: 'user',
  summary: 'A conversation with its members, their roles and read markers',
  tag: 'Conversations',
  request: { params: conversationParamsSchema },
  response: { status: 200, schema: conversationDetailsSchema, description: 'The conversation' },
  errors: [404],
  access: { table: ['dynamodb:Query', 'dynamodb:BatchGetItem'], signingKey: true },
});

export const updateConversation = defineRoute({
  name: 'update-conversation',
  method: 'PATCH',
  path: '/conversations/{id}',
  auth: 'user',
  summary: 'Rename a group (owners and admins)',
  tag: 'Conversations',
  request: { params: conversationParamsSchema, body: updateConversationRequestSchema },
  response: { status: 200, schema: conversationDetailsSchema, description: 'The renamed conversation' },
  errors: [403, 404, 409, 413, 415],
  access: { table: MEMBERSHIP_CHANGE, signingKey: true },
});

export const addMembers = defineRoute({
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
  access: { table: [...MEMBERSHIP_CHANGE, 'dynamodb:PutItem'], signingKey: true },
});

export const removeMember = defineRoute({
  name: 'remove-member',
  method: 'DELETE',
  path: '/conversations/{id}/members/{userId}',
  auth: 'user',
  summary: 'Remove a member (owners and admins), or leave (your own id)',
  tag: 'Conversations',
  request: { params: memberParamsSchema },
  response: { status: 204, description: 'Removed; the last owner leaving hands ownership on' },
  errors: [403, 404, 409],
  access: { table: [...MEMBERSHIP_CHANGE, 'dynamodb:DeleteItem'], signingKey: true },
});

export const changeMemberRole = defineRoute({
  name: 'change-member-role',
  method: 'PATCH',
  path: '/conversations/{id}/members/{userId}',
  auth: 'user',
  summary: 'Promote a member to admin or demote an admin (owners and admins)',
  tag: 'Conversations',
  request: { params: memberParamsSchema, body: changeRoleRequestSchema },
  response: { status: 200, schema: memberSchema, description: 'The member with the new role' },
  errors: [403, 404, 409, 413, 415],
  access: { table: MEMBERSHIP_CHANGE, signingKey: true },
});

const SEND: TableAction[] = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'];

export const sendMessage = defineRoute({
  name: 'send-message',
  method: 'POST',
  path: '/conversations/{id}/messages',
  auth: 'user',
  summary: 'Send a message (201; a retry with the same clientMessageId returns the original with 200)',
  tag: 'Messages',
  request: { params: conversationParamsSchema, body: sendMessageRequestSchema },
  response: { status: 201, schema: messageSchema, description: 'The message' },
  alsoReturns: [{ status: 200, description: 'The original message: a retry with the same clientMessageId' }],
  errors: [404, 413, 415],
  access: { table: SEND, signingKey: true, cdnSigningKey: true },
});

export const listMessages = defineRoute({
  name: 'list-messages',
  method: 'GET',
  path: '/conversations/{id}/messages',
  auth: 'user',
  summary: 'Message history, newest first (or oldest first after a given id, to catch up)',
  tag: 'Messages',
  request: { params: conversationParamsSchema, query: messagePageQuerySchema },
  response: { status: 200, schema: messagePageSchema, description: 'A page of messages' },
  errors: [404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'], signingKey: true, cdnSigningKey: true },
});

export const editMessage = defineRoute({
  name: 'edit-message',
  method: 'PATCH',
  path: '/conversations/{id}/messages/{messageId}',
  auth: 'user',
  summary: 'Edit the text of your own message',
  tag: 'Messages',
  request: { params: messageParamsSchema, body: editMessageRequestSchema },
  response: { status: 200, schema: messageSchema, description: 'The edited message' },
  errors: [403, 404, 409, 413, 415],
  access: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
    signingKey: true,
    cdnSigningKey: true,
  },
});

export const deleteMessage = defineRoute({
  name: 'delete-message',
  method: 'DELETE',
  path: '/conversations/{id}/messages/{messageId}',
  auth: 'user',
  summary: "Delete a message (the sender, or a group's owners and admins); leaves a tombstone",
  tag: 'Messages',
  request: { params: messageParamsSchema },
  response: { status: 204, description: 'Deleted (also when it already was)' },
  errors: [403, 404, 409],
  access: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
    signingKey: true,
  },
});

export const markRead = defineRoute({
  name: 'mark-read',
  method: 'POST',
  path: '/conversations/{id}/read',
  auth: 'user',
  summary: 'Move your read marker forward to a message',
  tag: 'Messages',
  request: { params: conversationParamsSchema, body: markReadRequestSchema },
  response: { status: 200, schema: readMarkerSchema, description: 'Your read marker' },
  errors: [404, 413, 415],
  access: {
    table: ['dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'],
    signingKey: true,
  },
});

export const legacySendMessage = defineRoute({
  name: 'legacy-send-message',
  method: 'POST',
  path: '/messages',
  auth: 'user',
  summary: 'Older clients: send to a user (their direct conversation) or a conversation',
  tag: 'Messages (older clients)',
  request: { body: legacySendMessageRequestSchema },
  response: { status: 201, schema: messageSchema, description: 'The message' },
  alsoReturns: [{ status: 200, description: 'The original message: a retry with the same clientMessageId' }],
  errors: [403, 404, 413, 415],
  access: {
    table: [...SEND, 'dynamodb:ConditionCheckItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
    signingKey: true,
    cdnSigningKey: true,
  },
});

export const legacyListMessages = defineRoute({
  name: 'legacy-list-messages',
  method: 'GET',
  path: '/messages',
  auth: 'user',
  summary: 'Older clients: the messages with a user (?recipient=) or of a conversation (?conversationId=)',
  tag: 'Messages (older clients)',
  request: { query: legacyMessagesQuerySchema },
  response: { status: 200, schema: messagePageSchema, description: 'A page of messages' },
  errors: [404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'], signingKey: true, cdnSigningKey: true },
});

export const createMedia = defineRoute({
  name: 'create-media',
  method: 'POST',
  path: '/media',
  auth: 'user',
  summary: 'Start an upload: returns a presigned S3 POST for the file',
  tag: 'Media',
  request: { body: createMediaRequestSchema },
  response: { status: 201, schema: mediaUploadSchema, description: 'The pending media and how to upload it' },
  errors: [413, 415],
  access: { table: ['dynamodb:PutItem'], signingKey: true, presignUploads: true },
});

export const getMedia = defineRoute({
  name: 'get-media',
  method: 'GET',
  path: '/media/{id}',
  auth: 'user',
  summary: 'The status of your upload: pending, ready or rejected',
  tag: 'Media',
  request: { params: mediaParamsSchema },
  response: { status: 200, schema: mediaSchema, description: 'The media' },
  errors: [404],
  access: { table: ['dynamodb:GetItem'], signingKey: true },
});

export const routes: readonly RouteDefinition[] = [
  health,
  openApi,
  signUp,
  login,
  refreshToken,
  logout,
  getMe,
  updateMe,
  getUser,
  findUserByUsername,
  createConversation,
  listConversations,
  getConversation,
  updateConversation,
  addMembers,
  removeMember,
  changeMemberRole,
  sendMessage,
  listMessages,
  editMessage,
  deleteMessage,
  markRead,
  legacySendMessage,
  legacyListMessages,
  createMedia,
  getMedia,
];
