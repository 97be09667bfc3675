/** Accounts: sign-up, login, token refresh, logout, sessions and the password. */
import { defineRoute } from '../route-definition';
import {
  changePasswordRequestSchema,
  loginRequestSchema,
  loginResponseSchema,
  refreshTokenRequestSchema,
  sessionIdParamsSchema,
  sessionListSchema,
  tokenPairSchema,
} from '../schemas/auth';
import { ownProfileSchema, signUpRequestSchema } from '../schemas/users';

export const signUp = /* @__PURE__ */ defineRoute({
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
  access: { table: ['dynamodb:PutItem'] },
  limits: [{ name: 'sign-ups', key: 'ip', limit: 20, windowSeconds: 3600 }],
  gatewayThrottle: { rateLimit: 5, burstLimit: 20 },
  memoryMb: 1024,
});

export const login = /* @__PURE__ */ defineRoute({
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
  // 403: the account is disabled (problem type account-disabled).
  errors: [401, 403],
  // PutItem: the session and its first refresh token; UpdateItem: upgrading an old password hash.
  access: { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], tokenKeys: 'sign' },
  // Each attempt is reserved before the password check and given back when it succeeds (domain/login-attempts.ts).
  limits: [
    { name: 'failed-logins', key: 'account', limit: 5, windowSeconds: 900, countedBy: 'domain' },
    { name: 'failed-logins-by-ip', key: 'ip', limit: 50, windowSeconds: 900, countedBy: 'domain' },
  ],
  gatewayThrottle: { rateLimit: 20, burstLimit: 50 },
  // scrypt at N = 2^17, r = 8 takes 128 MB per hash; 1024 MB also buys the CPU that makes it ~0.3 s.
  memoryMb: 1024,
});

export const refreshToken = /* @__PURE__ */ defineRoute({
  name: 'refresh-token',
  method: 'POST',
  path: '/token/refresh',
  auth: 'public',
  summary:
    'Exchange a refresh token for a new token pair (the old refresh token stops working; presenting it again ends its session)',
  tag: 'Accounts',
  request: { body: refreshTokenRequestSchema },
  response: { status: 200, schema: tokenPairSchema, description: 'A new token pair' },
  // 403: the account is disabled (problem type account-disabled).
  errors: [401, 403],
  // UpdateItem/PutItem: the rotation; DeleteItem: ending a session on reuse; ConditionCheckItem: not disabled.
  access: {
    table: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    tokenKeys: 'sign',
  },
});

export const logout = /* @__PURE__ */ defineRoute({
  name: 'logout',
  method: 'POST',
  path: '/logout',
  auth: 'public',
  summary: "End a refresh token's session",
  tag: 'Accounts',
  request: { body: refreshTokenRequestSchema },
  response: {
    status: 204,
    description: "The token's session has ended (also when the token never worked)",
  },
  errors: [413, 415],
  access: { table: ['dynamodb:DeleteItem'] },
});

export const logoutAll = /* @__PURE__ */ defineRoute({
  name: 'logout-all',
  method: 'POST',
  path: '/logout/all',
  auth: 'user',
  summary: "End all of the caller's sessions, this one included",
  tag: 'Accounts',
  response: { status: 204, description: 'Every session has ended' },
  access: { table: ['dynamodb:Query', 'dynamodb:BatchWriteItem'] },
});

export const listSessions = /* @__PURE__ */ defineRoute({
  name: 'list-sessions',
  method: 'GET',
  path: '/sessions',
  auth: 'user',
  summary: "The caller's live sessions",
  tag: 'Accounts',
  response: { status: 200, schema: sessionListSchema, description: 'The sessions, newest first' },
  access: { table: ['dynamodb:Query'] },
});

export const endSession = /* @__PURE__ */ defineRoute({
  name: 'end-session',
  method: 'DELETE',
  path: '/sessions/{id}',
  auth: 'user',
  summary: 'End one of your sessions',
  tag: 'Accounts',
  request: { params: sessionIdParamsSchema },
  response: { status: 204, description: 'The session has ended; its refresh token no longer works' },
  errors: [404],
  access: { table: ['dynamodb:DeleteItem'] },
});

export const changePassword = /* @__PURE__ */ defineRoute({
  name: 'change-password',
  method: 'POST',
  path: '/users/me/password',
  auth: 'user',
  summary: 'Change your password; every other session ends, and every WebSocket of yours closes',
  tag: 'Accounts',
  request: { body: changePasswordRequestSchema },
  response: {
    status: 204,
    description:
      'The password has changed and only this session remains; its WebSockets close too (reconnect with the same token)',
  },
  errors: [403, 404, 409, 413, 415],
  access: {
    table: [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'dynamodb:BatchWriteItem',
      // The caller's session is deleted and put back, so the stream closes its sockets (restartSession).
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ],
  },
  // Two scrypt hashes (verify the current password, hash the new one) at 128 MB each.
  memoryMb: 1024,
});
