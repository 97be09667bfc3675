import * as z from 'zod/mini';
import { idSchema, singleLineText, timestampSchema } from './common';
import { defineSchema } from './define';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export const usernameSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .string()
    .check(
      z.minLength(3, 'must be at least 3 characters'),
      z.maxLength(32, 'must be at most 32 characters'),
      z.regex(USERNAME_PATTERN, 'may contain only letters, digits, "_", "." and "-"'),
    ),
);

export const passwordSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .string()
    .check(
      z.minLength(8, 'must be at least 8 characters'),
      z.maxLength(256, 'must be at most 256 characters'),
    ),
);

export const displayNameSchema = /* @__PURE__ */ singleLineText(64);
export const locationSchema = /* @__PURE__ */ singleLineText(100);

export const signUpRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({
      username: usernameSchema,
      password: passwordSchema,
      displayName: z.optional(displayNameSchema),
      location: z.optional(locationSchema),
    })
    .register(z.globalRegistry, { id: 'SignUpRequest' }),
);

export const updateProfileRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({
      displayName: z.optional(displayNameSchema),
      location: z.optional(z.nullable(locationSchema)).check(z.describe('null clears the location')),
      avatarMediaId: z
        .optional(z.nullable(idSchema))
        .check(z.describe('The id of your own ready avatar upload; null removes the picture')),
    })
    .register(z.globalRegistry, { id: 'UpdateProfileRequest' }),
);

export const userProfileSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      id: idSchema,
      username: z.string(),
      displayName: z.string(),
      location: z.nullable(z.string()),
      avatarUrl: z.nullable(z.string()).check(z.describe('The profile picture through the CDN')),
      createdAt: timestampSchema,
    })
    .register(z.globalRegistry, {
      id: 'UserProfile',
      description: 'What any signed-in user may see of another',
    }),
);

export const ownProfileSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .extend(userProfileSchema, { updatedAt: timestampSchema })
    .register(z.globalRegistry, { id: 'OwnProfile', description: "The caller's own profile" }),
);

export const userIdParamsSchema = /* @__PURE__ */ defineSchema(() => z.strictObject({ id: idSchema }));
export const usernameParamsSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({ username: z.string().check(z.minLength(1), z.maxLength(64)) }),
);

export type SignUpRequest = z.output<typeof signUpRequestSchema>;
export type UpdateProfileRequest = z.output<typeof updateProfileRequestSchema>;
export type OwnProfile = z.output<typeof ownProfileSchema>;
