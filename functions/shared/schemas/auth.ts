import * as z from 'zod';
import { ownProfileSchema } from './users';

// Login checks only shape and size: a username that could never exist still gets the same 401 as a wrong
// password, so the endpoint does not tell which usernames are valid.
export const loginRequestSchema = z
  .strictObject({
    username: z.string().min(1).max(256),
    password: z.string().min(1).max(256),
  })
  .meta({ id: 'LoginRequest' });

export const refreshTokenRequestSchema = z
  .strictObject({ refreshToken: z.string().min(1).max(512) })
  .meta({ id: 'RefreshTokenRequest' });

export const tokenPairSchema = z
  .object({
    token: z.string().describe('Access token (JWT), sent as `Authorization: Bearer <token>`'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    refreshToken: z.string().describe('Opaque; single use: each refresh returns a new one'),
  })
  .meta({ id: 'TokenPair' });

export const loginResponseSchema = tokenPairSchema
  .extend({ user: ownProfileSchema })
  .meta({ id: 'LoginResponse' });

export type TokenPair = z.output<typeof tokenPairSchema>;
