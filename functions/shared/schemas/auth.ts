import * as v from 'valibot';
import { idSchema, safeIntegerSchema, timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';
import { ownProfileSchema, passwordSchema } from './users';

// Login checks only shape and size: a username that could never exist still gets the same 401 as a wrong
// password, so the endpoint does not tell which usernames are valid.
export const loginRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      username: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
      password: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
    }),
    v.metadata({ id: 'LoginRequest' }),
  ),
);

export const refreshTokenRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({ refreshToken: v.pipe(v.string(), v.minLength(1), v.maxLength(512)) }),
    v.metadata({ id: 'RefreshTokenRequest' }),
  ),
);

export const tokenPairSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      token: v.pipe(v.string(), v.description('Access token (JWT), sent as `Authorization: Bearer <token>`')),
      tokenType: v.literal('Bearer'),
      expiresIn: v.pipe(safeIntegerSchema, v.description('Seconds until the access token expires')),
      refreshToken: v.pipe(v.string(), v.description('Opaque; single use: each refresh returns a new one')),
    }),
    v.metadata({ id: 'TokenPair' }),
  ),
);

export const loginResponseSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({ ...tokenPairSchema.entries, user: ownProfileSchema }),
    v.metadata({ id: 'LoginResponse' }),
  ),
);

export type TokenPair = v.InferOutput<typeof tokenPairSchema>;

export const sessionSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: idSchema,
      createdAt: timestampSchema,
      lastUsedAt: v.pipe(timestampSchema, v.description('The last login or token refresh')),
      userAgent: v.pipe(v.nullable(v.string()), v.description('The User-Agent that logged in, if any')),
      current: v.pipe(v.boolean(), v.description('True for the session of the access token used to ask')),
    }),
    v.metadata({
      id: 'Session',
      description: 'A login: its refresh tokens and the access tokens they issue',
    }),
  ),
);

export const sessionListSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({ items: v.array(sessionSchema) }),
    v.metadata({ id: 'SessionList', description: 'The most recent 100 live sessions, newest first' }),
  ),
);

export const sessionIdParamsSchema = /* @__PURE__ */ defineSchema(() => strictObject({ id: idSchema }));

export const changePasswordRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      currentPassword: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
      newPassword: passwordSchema,
    }),
    v.metadata({ id: 'ChangePasswordRequest' }),
  ),
);
