import * as z from 'zod';
import { MAX_UPLOAD_BYTES, MEDIA_CONTENT_TYPES } from '../media/media-types';
import { idSchema, singleLineText, timestampSchema } from './common';

export const createMediaRequestSchema = z
  .strictObject({
    purpose: z.enum(['avatar', 'attachment']),
    contentType: z
      .enum(MEDIA_CONTENT_TYPES)
      .describe(
        'avatar: image/jpeg|png|webp (5 MB); attachment: those, image/gif (25 MB), video/mp4|webm|quicktime (100 MB)',
      ),
    size: z
      .number()
      .int()
      .positive()
      .max(MAX_UPLOAD_BYTES)
      .describe('Bytes; the upload may not be larger (and no larger than the limit for its type)'),
    fileName: singleLineText(255).optional(),
  })
  .meta({ id: 'CreateMediaRequest' });

export const mediaSchema = z
  .object({
    id: idSchema,
    purpose: z.enum(['avatar', 'attachment']),
    status: z.enum(['pending', 'ready', 'rejected']),
    declaredContentType: z.string(),
    declaredSize: z.number().int(),
    fileName: z.string().nullable(),
    contentType: z.string().optional().describe('Once ready: the verified type'),
    size: z
      .number()
      .int()
      .optional()
      .describe('Once ready: the size in bytes of the file as served (images without their metadata)'),
    rejectionReason: z.string().optional(),
    createdAt: timestampSchema,
  })
  .meta({ id: 'Media' });

export const mediaUploadSchema = mediaSchema
  .extend({
    upload: z.object({
      method: z.literal('POST'),
      url: z.string().describe('POST a multipart/form-data body here'),
      fields: z
        .record(z.string(), z.string())
        .describe('Form fields to send first, in order; then `file` last'),
    }),
    expiresAt: timestampSchema.describe('The upload must start before this'),
  })
  .meta({ id: 'MediaUpload' });

export const mediaParamsSchema = z.strictObject({ id: z.string().min(1).max(64) });
