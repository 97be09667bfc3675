import * as z from 'zod';
import { idSchema, singleLineText, timestampSchema } from './common';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export const usernameSchema = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(32, 'must be at most 32 characters')
  .regex(USERNAME_PATTERN, 'may contain only letters, digits, "_", "." and "-"');

export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

export const displayNameSchema = singleLineText(64);
export const locationSchema = singleLineText(100);

export const signUpRequestSchema = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema,
    displayName: displayNameSchema.optional(),
    location: locationSchema.optional(),
  })
  .meta({ id: 'SignUpRequest' });

export const updateProfileRequestSchema = z
  .strictObject({
    displayName: displayNameSchema.optional(),
    location: locationSchema.nullable().optional().describe('null clears the location'),
    avatarMediaId: idSchema
      .nullable()
      .optional()
      .describe('The id of your own ready avatar upload; null removes the picture'),
  })
  .meta({ id: 'UpdateProfileRequest' });

export const userProfileSchema = z
  .object({
    id: idSchema,
    username: z.string(),
    displayName: z.string(),
    location: z.string().nullable(),
    avatarUrl: z.string().nullable().describe('The profile picture through the CDN'),
    createdAt: timestampSchema,
  })
  .meta({ id: 'UserProfile', description: 'What any signed-in user may see of another' });

export const ownProfileSchema = userProfileSchema
  .extend({ updatedAt: timestampSchema })
  .meta({ id: 'OwnProfile', description: "The caller's own profile" });

export const userIdParamsSchema = z.strictObject({ id: idSchema });
export const usernameParamsSchema = z.strictObject({ username: z.string().min(1).max(64) });

export type SignUpRequest = z.output<typeof signUpRequestSchema>;
export type UpdateProfileRequest = z.output<typeof updateProfileRequestSchema>;
export type OwnProfile = z.output<typeof ownProfileSchema>;
