import * as z from 'zod/mini';
import { defineSchema } from './define';
import { ownProfileSchema } from './users';

// Login checks only shape and size: a username that could never exist still gets the same 401 as a wrong
// password, so the endpoint does not tell which usernames are valid.
export const loginRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({
      username: z.string().check(z.minLength(1), z.maxLength(256)),
      password: z.string().check(z.minLength(1), z.maxLength(256)),
    })
    .register(z.globalRegistry, { id: 'LoginRequest' }),
);

export const refreshTokenRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({ refreshToken: z.string().check(z.minLength(1), z.maxLength(512)) })
    .register(z.globalRegistry, { id: 'RefreshTokenRequest' }),
);

export const tokenPairSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      token: z.string().check(z.describe('Access token (JWT), sent as `Authorization: Bearer <token>`')),
      tokenType: z.literal('Bearer'),
      expiresIn: z.int().check(z.describe('Seconds until the access token expires')),
      refreshToken: z.string().check(z.describe('Opaque; single use: each refresh returns a new one')),
    })
    .register(z.globalRegistry, { id: 'TokenPair' }),
);

export const loginResponseSchema = /* @__PURE__ */ defineSchema(() =>
  z.extend(tokenPairSchema, { user: ownProfileSchema }).register(z.globalRegistry, { id: 'LoginResponse' }),
);

export type TokenPair = z.output<typeof tokenPairSchema>;
