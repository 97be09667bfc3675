import * as z from 'zod/mini';
import { FORBIDDEN_CONTROL_CHARACTERS, idSchema, timestampSchema } from './common';
import { defineSchema } from './define';

export const MAX_TEXT_LENGTH = 5000;

export const messageTextSchema = /* @__PURE__ */ defineSchema(() =>
  z.string().check(
    z.refine((text) => text.trim().length > 0, 'must not be blank'),
    z.refine((text) => [...text].length <= MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
    z.refine(
      (text) => !FORBIDDEN_CONTROL_CHARACTERS.test(text),
      'must not contain control characters other than newline and tab',
    ),
  ),
);

export const MAX_METADATA_BYTES = 2048;

export const messageContentInputSchema = /* @__PURE__ */ defineSchema(() => {
  /** `{type: "string"}` is what older clients send; it is the same as `text` and stored as `text`. */
  const text = z.strictObject({ type: z.enum(['text', 'string']), text: messageTextSchema });
  const metadata = z.record(z.string(), z.unknown()).check(
    z.refine(
      (value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES,
      `must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
    ),
    z.describe('Free-form JSON for clients (duration, dimensions, caption), at most 2 KB'),
  );
  const video = z.strictObject({
    type: z.literal('video'),
    video: idSchema.check(z.describe('The id of your own ready attachment upload of a video type')),
    metadata: z.optional(metadata),
  });
  const image = z.strictObject({
    type: z.literal('image'),
    image: idSchema.check(z.describe('The id of your own ready attachment upload of an image type')),
    metadata: z.optional(metadata),
  });
  return z
    .discriminatedUnion('type', [text, video, image])
    .register(z.globalRegistry, { id: 'MessageContentInput' });
});

export const clientMessageIdSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(100),
      z.regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces'),
      z.describe('Retries with the same value return the original message instead of sending again'),
    ),
);

export const sendMessageRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({ content: messageContentInputSchema, clientMessageId: z.optional(clientMessageIdSchema) })
    .register(z.globalRegistry, { id: 'SendMessageRequest' }),
);

export const legacySendMessageRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({
      sender: z.optional(idSchema).check(z.describe('If present, must be the caller')),
      recipient: z
        .optional(idSchema)
        .check(z.describe('A user id: the message goes to the direct conversation with them')),
      conversationId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
      content: messageContentInputSchema,
      clientMessageId: z.optional(clientMessageIdSchema),
    })
    .check(
      z.refine((body) => (body.recipient === undefined) !== (body.conversationId === undefined), {
        message: 'exactly one of recipient or conversationId is required',
        path: ['recipient'],
      }),
    )
    .register(z.globalRegistry, { id: 'LegacySendMessageRequest' }),
);

export const editMessageRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({ text: messageTextSchema }).register(z.globalRegistry, { id: 'EditMessageRequest' }),
);

export const markReadRequestSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .strictObject({ messageId: z.string().check(z.minLength(1), z.maxLength(64)) })
    .register(z.globalRegistry, { id: 'MarkReadRequest' }),
);

export const messageContentSchema = /* @__PURE__ */ defineSchema(() => {
  const mediaDelivery = {
    url: z.string().check(z.describe('The file through the CDN: a signed URL that expires at urlExpiresAt')),
    urlExpiresAt: timestampSchema,
    contentType: z.string(),
    size: z.int(),
    metadata: z.optional(z.record(z.string(), z.unknown())),
  };
  return z
    .union([
      z.object({ type: z.literal('text'), text: z.string() }),
      z.object({ type: z.literal('string'), text: z.string() }),
      z.object({ type: z.literal('video'), video: z.string(), ...mediaDelivery }),
      z.object({ type: z.literal('image'), image: z.string(), ...mediaDelivery }),
    ])
    .register(z.globalRegistry, { id: 'MessageContent' });
});

export const messageSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      id: z.string().check(z.describe('A ULID: sorts by time, unique even within one millisecond')),
      conversationId: z.string(),
      senderId: idSchema,
      content: z.nullable(messageContentSchema).check(z.describe('null once the message is deleted')),
      createdAt: timestampSchema,
      editedAt: z.optional(timestampSchema),
      deletedAt: z.optional(timestampSchema),
      clientMessageId: z.optional(z.string()),
    })
    .register(z.globalRegistry, { id: 'Message' }),
);

export const messagePreviewSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      id: z.string(),
      senderId: idSchema,
      type: z.string(),
      preview: z.string().check(z.describe('The first 100 characters of text, or "[video]"/"[image]"')),
      createdAt: timestampSchema,
    })
    .register(z.globalRegistry, { id: 'MessagePreview' }),
);

export const messagePageSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      items: z.array(messageSchema),
      nextCursor: z
        .nullable(z.string())
        .check(z.describe('Pass as `cursor` for the next page; null at the end')),
    })
    .register(z.globalRegistry, { id: 'MessagePage' }),
);

export const messagePageQuerySchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
    after: z
      .optional(z.string().check(z.minLength(1), z.maxLength(64)))
      .check(z.describe('Catch-up after a reconnect: messages newer than this id, oldest first')),
  }),
);

export const legacyMessagesQuerySchema = /* @__PURE__ */ defineSchema(() =>
  z
    .extend(messagePageQuerySchema, {
      recipient: z.optional(idSchema),
      conversationId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    })
    .check(
      z.refine((query) => (query.recipient === undefined) !== (query.conversationId === undefined), {
        message: 'exactly one of recipient or conversationId is required',
        path: ['recipient'],
      }),
    ),
);

export const messageParamsSchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({
    id: z.string().check(z.minLength(1), z.maxLength(100)),
    messageId: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
);

export type MessageContentInput = z.output<typeof messageContentInputSchema>;
export type Message = z.output<typeof messageSchema>;
export type MessagePreview = z.output<typeof messagePreviewSchema>;

export const readMarkerSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      conversationId: z.string(),
      userId: idSchema,
      lastReadMessageId: z.nullable(z.string()),
      lastReadAt: z.nullable(timestampSchema),
    })
    .register(z.globalRegistry, { id: 'ReadMarker' }),
);
