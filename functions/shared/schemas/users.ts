import * as v from 'valibot';
import { idSchema, singleLineText, timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export const usernameSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.string(),
    v.minLength(3, 'must be at least 3 characters'),
    v.maxLength(32, 'must be at most 32 characters'),
    v.regex(USERNAME_PATTERN, 'may contain only letters, digits, "_", "." and "-"'),
  ),
);

export const passwordSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.string(),
    v.minLength(8, 'must be at least 8 characters'),
    v.maxLength(256, 'must be at most 256 characters'),
  ),
);

export const displayNameSchema = /* @__PURE__ */ singleLineText(64);
export const locationSchema = /* @__PURE__ */ singleLineText(100);

export const signUpRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      username: usernameSchema,
      password: passwordSchema,
      displayName: v.optional(displayNameSchema),
      location: v.optional(locationSchema),
    }),
    v.metadata({ id: 'SignUpRequest' }),
  ),
);

export const updateProfileRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      displayName: v.optional(displayNameSchema),
      location: v.optional(v.pipe(v.nullable(locationSchema), v.description('null clears the location'))),
      avatarMediaId: v.optional(
        v.pipe(
          v.nullable(idSchema),
          v.description('The id of your own ready avatar upload; null removes the picture'),
        ),
      ),
      showPresence: v.optional(
        v.pipe(
          v.boolean(),
          v.description('false hides your presence: others see you offline, with no lastActiveAt'),
        ),
      ),
    }),
    v.metadata({ id: 'UpdateProfileRequest' }),
  ),
);

export const presenceSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      online: v.pipe(v.boolean(), v.description('At least one open WebSocket connection')),
      lastActiveAt: v.optional(
        v.pipe(timestampSchema, v.description('When the last connection closed; only while offline')),
      ),
    }),
    v.metadata({
      id: 'Presence',
      description:
        'Whether the user is connected now. A user who hides their presence shows offline to others.',
    }),
  ),
);

export const userProfileSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: idSchema,
      username: v.string(),
      displayName: v.string(),
      location: v.nullable(v.string()),
      avatarUrl: v.pipe(v.nullable(v.string()), v.description('The profile picture through the CDN')),
      createdAt: timestampSchema,
      // Shown by GET /users/{id}, /users/me and /users/by-username.
      presence: v.optional(presenceSchema),
    }),
    v.metadata({ id: 'UserProfile', description: 'What any signed-in user may see of another' }),
  ),
);

export const ownProfileSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      ...userProfileSchema.entries,
      updatedAt: timestampSchema,
      showPresence: v.pipe(v.boolean(), v.description('false: others see you offline (PATCH /users/me)')),
    }),
    v.metadata({ id: 'OwnProfile', description: "The caller's own profile" }),
  ),
);

export const userIdParamsSchema = /* @__PURE__ */ defineSchema(() => strictObject({ id: idSchema }));
export const usernameParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({ username: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) }),
);

export type SignUpRequest = v.InferOutput<typeof signUpRequestSchema>;
export type UpdateProfileRequest = v.InferOutput<typeof updateProfileRequestSchema>;
export type OwnProfile = v.InferOutput<typeof ownProfileSchema>;
export type Presence = v.InferOutput<typeof presenceSchema>;
