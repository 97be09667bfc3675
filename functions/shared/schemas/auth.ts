import * as v from 'valibot';
import { safeIntegerSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';
import { ownProfileSchema } from './users';

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
