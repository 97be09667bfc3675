import * as z from 'zod';
import { FORBIDDEN_CONTROL_CHARACTERS, idSchema, timestampSchema } from './common';

export const MAX_TEXT_LENGTH = 5000;

export const messageTextSchema = z
  .string()
  .refine((text) => text.trim().length > 0, 'must not be blank')
  .refine((text) => [...text].length <= MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`)
  .refine(
    (text) => !FORBIDDEN_CONTROL_CHARACTERS.test(text),
    'must not contain control characters other than newline and tab',
  );

/** `{type: "string"}` is what older clients send; it is the same as `text` and stored as `text`. */
const textContentSchema = z.strictObject({ type: z.enum(['text', 'string']), text: messageTextSchema });
export const MAX_METADATA_BYTES = 2048;
const metadataSchema = z
  .record(z.string(), z.unknown())
  .refine(
    (metadata) => Buffer.byteLength(JSON.stringify(metadata)) <= MAX_METADATA_BYTES,
    `must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
  )
  .describe('Free-form JSON for clients (duration, dimensions, caption), at most 2 KB');
const videoContentSchema = z.strictObject({
  type: z.literal('video'),
  video: idSchema.describe('The id of your own ready attachment upload of a video type'),
  metadata: metadataSchema.optional(),
});
const imageContentSchema = z.strictObject({
  type: z.literal('image'),
  image: idSchema.describe('The id of your own ready attachment upload of an image type'),
  metadata: metadataSchema.optional(),
});

export const messageContentInputSchema = z
  .discriminatedUnion('type', [textContentSchema, videoContentSchema, imageContentSchema])
  .meta({ id: 'MessageContentInput' });

export const clientMessageIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces')
  .describe('Retries with the same value return the original message instead of sending again');

export const sendMessageRequestSchema = z
  .strictObject({ content: messageContentInputSchema, clientMessageId: clientMessageIdSchema.optional() })
  .meta({ id: 'SendMessageRequest' });

export const legacySendMessageRequestSchema = z
  .strictObject({
    sender: idSchema.optional().describe('If present, must be the caller'),
    recipient: idSchema
      .optional()
      .describe('A user id: the message goes to the direct conversation with them'),
    conversationId: z.string().min(1).max(100).optional(),
    content: messageContentInputSchema,
    clientMessageId: clientMessageIdSchema.optional(),
  })
  .refine((body) => (body.recipient === undefined) !== (body.conversationId === undefined), {
    message: 'exactly one of recipient or conversationId is required',
    path: ['recipient'],
  })
  .meta({ id: 'LegacySendMessageRequest' });

export const editMessageRequestSchema = z
  .strictObject({ text: messageTextSchema })
  .meta({ id: 'EditMessageRequest' });

export const markReadRequestSchema = z
  .strictObject({ messageId: z.string().min(1).max(64) })
  .meta({ id: 'MarkReadRequest' });

const mediaDelivery = {
  url: z.string().describe('The file through the CDN: a signed URL that expires at urlExpiresAt'),
  urlExpiresAt: timestampSchema,
  contentType: z.string(),
  size: z.number().int(),
  metadata: z.record(z.string(), z.unknown()).optional(),
};

export const messageContentSchema = z
  .union([
    z.object({ type: z.literal('text'), text: z.string() }),
    z.object({ type: z.literal('string'), text: z.string() }),
    z.object({ type: z.literal('video'), video: z.string(), ...mediaDelivery }),
    z.object({ type: z.literal('image'), image: z.string(), ...mediaDelivery }),
  ])
  .meta({ id: 'MessageContent' });

export const messageSchema = z
  .object({
    id: z.string().describe('A ULID: sorts by time, unique even within one millisecond'),
    conversationId: z.string(),
    senderId: idSchema,
    content: messageContentSchema.nullable().describe('null once the message is deleted'),
    createdAt: timestampSchema,
    editedAt: timestampSchema.optional(),
    deletedAt: timestampSchema.optional(),
    clientMessageId: z.string().optional(),
  })
  .meta({ id: 'Message' });

export const messagePreviewSchema = z
  .object({
    id: z.string(),
    senderId: idSchema,
    type: z.string(),
    preview: z.string().describe('The first 100 characters of text, or "[video]"/"[image]"'),
    createdAt: timestampSchema,
  })
  .meta({ id: 'MessagePreview' });

export const messagePageSchema = z
  .object({
    items: z.array(messageSchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null at the end'),
  })
  .meta({ id: 'MessagePage' });

export const messagePageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(1024).optional(),
  after: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Catch-up after a reconnect: messages newer than this id, oldest first'),
});

export const legacyMessagesQuerySchema = messagePageQuerySchema
  .extend({ recipient: idSchema.optional(), conversationId: z.string().min(1).max(100).optional() })
  .refine((query) => (query.recipient === undefined) !== (query.conversationId === undefined), {
    message: 'exactly one of recipient or conversationId is required',
    path: ['recipient'],
  });

export const messageParamsSchema = z.strictObject({
  id: z.string().min(1).max(100),
  messageId: z.string().min(1).max(64),
});

export type MessageContentInput = z.output<typeof messageContentInputSchema>;
export type Message = z.output<typeof messageSchema>;
export type MessagePreview = z.output<typeof messagePreviewSchema>;

export const readMarkerSchema = z
  .object({
    conversationId: z.string(),
    userId: idSchema,
    lastReadMessageId: z.string().nullable(),
    lastReadAt: timestampSchema.nullable(),
  })
  .meta({ id: 'ReadMarker' });
