/**
 * The HTTP API: every route, its handler, its auth, its schemas and the table access its function needs.
 * The CDK stack, the local gateway, the OpenAPI document and the handlers themselves all read this table.
 */

import { defineRoute, type RouteDefinition } from './route-definition';
import {
  loginRequestSchema,
  loginResponseSchema,
  refreshTokenRequestSchema,
  tokenPairSchema,
} from './schemas/auth';
import { healthResponseSchema } from './schemas/health';
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
  errors: [413, 415],
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
  errors: [413, 415],
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
  access: { table: ['dynamodb:UpdateItem'], signingKey: true },
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
];
