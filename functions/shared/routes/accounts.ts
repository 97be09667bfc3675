/** Accounts: sign-up, login, token refresh and logout. */
import { defineRoute } from '../route-definition';
import {
  loginRequestSchema,
  loginResponseSchema,
  refreshTokenRequestSchema,
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
  errors: [401],
  access: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], tokenKeys: 'sign' },
  // Each attempt is reserved before the password check and given back when it succeeds (domain/login-attempts.ts).
  limits: [
    { name: 'failed-logins', key: 'account', limit: 5, windowSeconds: 900, countedBy: 'domain' },
    { name: 'failed-logins-by-ip', key: 'ip', limit: 50, windowSeconds: 900, countedBy: 'domain' },
  ],
  gatewayThrottle: { rateLimit: 20, burstLimit: 50 },
  memoryMb: 1024,
});

export const refreshToken = /* @__PURE__ */ defineRoute({
  name: 'refresh-token',
  method: 'POST',
  path: '/token/refresh',
  auth: 'public',
  summary: 'Exchange a refresh token for a new token pair (the old refresh token stops working)',
  tag: 'Accounts',
  request: { body: refreshTokenRequestSchema },
  response: { status: 200, schema: tokenPairSchema, description: 'A new token pair' },
  errors: [401],
  access: { table: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], tokenKeys: 'sign' },
});

export const logout = /* @__PURE__ */ defineRoute({
  name: 'logout',
  method: 'POST',
  path: '/logout',
  auth: 'public',
  summary: 'Revoke a refresh token',
  tag: 'Accounts',
  request: { body: refreshTokenRequestSchema },
  response: { status: 204, description: 'The refresh token no longer works (also when it never did)' },
  errors: [413, 415],
  access: { table: ['dynamodb:DeleteItem'] },
});
