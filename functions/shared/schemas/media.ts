import * as z from 'zod/mini';
import { MAX_UPLOAD_BYTES, MEDIA_CONTENT_TYPES } from '../media/media-types';
import { idSchema, singleLineText, timestampSchema } from './common';
import { defineSchema } from './define';

export const createMediaRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({
      purpose: z.enum(['avatar', 'attachment']),
      contentType: z
        .enum(MEDIA_CONTENT_TYPES)
        .check(
          z.describe(
            'avatar: image/jpeg|png|webp (5 MB); attachment: those, image/gif (25 MB), video/mp4|webm|quicktime (100 MB)',
          ),
        ),
      size: z
        .int()
        .check(
          z.positive(),
          z.maximum(MAX_UPLOAD_BYTES),
          z.describe('Bytes; the upload may not be larger (and no larger than the limit for its type)'),
        ),
      fileName: z.optional(singleLineText(255)),
    })
    .register(z.globalRegistry, { id: 'CreateMediaRequest' }),
);

export const mediaSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      id: idSchema,
      purpose: z.enum(['avatar', 'attachment']),
      status: z.enum(['pending', 'ready', 'rejected']),
      declaredContentType: z.string(),
      declaredSize: z.int(),
      fileName: z.nullable(z.string()),
      contentType: z.optional(z.string()).check(z.describe('Once ready: the verified type')),
      size: z
        .optional(z.int())
        .check(
          z.describe('Once ready: the size in bytes of the file as served (images without their metadata)'),
        ),
      rejectionReason: z.optional(z.string()),
      createdAt: timestampSchema,
    })
    .register(z.globalRegistry, { id: 'Media' }),
);

export const mediaUploadSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .extend(mediaSchema, {
      upload: z.object({
        method: z.literal('POST'),
        url: z.string().check(z.describe('POST a multipart/form-data body here')),
        fields: z
          .record(z.string(), z.string())
          .check(z.describe('Form fields to send first, in order; then `file` last')),
      }),
      expiresAt: timestampSchema.check(z.describe('The upload must start before this')),
    })
    .register(z.globalRegistry, { id: 'MediaUpload' }),
);

export const mediaParamsSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64)) }),
);
