import * as v from 'valibot';
import { MAX_UPLOAD_BYTES, MEDIA_CONTENT_TYPES } from '../media/media-types';
import { idSchema, safeIntegerSchema, singleLineText, timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';

export const createMediaRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      purpose: v.picklist(['avatar', 'attachment']),
      contentType: v.pipe(
        v.picklist(MEDIA_CONTENT_TYPES),
        v.description(
          'avatar: image/jpeg|png|webp (5 MB); attachment: those and image/gif (25 MB); video/mp4|webm|quicktime, application/pdf, text/plain, application/zip, Office (docx, xlsx, pptx), audio/mpeg|mp4|aac|ogg|webm|wav (100 MB)',
        ),
      ),
      // Bounded on both sides, so no need for the safe-integer bounds.
      size: v.pipe(
        v.number(),
        v.integer(),
        v.gtValue(0),
        v.maxValue(MAX_UPLOAD_BYTES),
        v.description('Bytes; the upload may not be larger (and no larger than the limit for its type)'),
      ),
      fileName: v.optional(singleLineText(255)),
    }),
    v.metadata({ id: 'CreateMediaRequest' }),
  ),
);

export const mediaSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: idSchema,
      purpose: v.picklist(['avatar', 'attachment']),
      status: v.picklist(['pending', 'ready', 'rejected']),
      declaredContentType: v.string(),
      declaredSize: safeIntegerSchema,
      fileName: v.nullable(v.string()),
      contentType: v.optional(v.pipe(v.string(), v.description('Once ready: the verified type'))),
      size: v.optional(
        v.pipe(
          safeIntegerSchema,
          v.description(
            'Once ready: the size in bytes of the file as served (images without their metadata)',
          ),
        ),
      ),
      rejectionReason: v.optional(v.string()),
      createdAt: timestampSchema,
    }),
    v.metadata({ id: 'Media' }),
  ),
);

export const mediaUploadSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      ...mediaSchema.entries,
      upload: v.object({
        method: v.literal('POST'),
        url: v.pipe(v.string(), v.description('POST a multipart/form-data body here')),
        fields: v.pipe(
          v.record(v.string(), v.string()),
          v.description('Form fields to send first, in order; then `file` last'),
        ),
      }),
      expiresAt: v.pipe(timestampSchema, v.description('The upload must start before this')),
    }),
    v.metadata({ id: 'MediaUpload' }),
  ),
);

export const mediaParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) }),
);
