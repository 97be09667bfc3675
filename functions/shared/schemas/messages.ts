import * as v from 'valibot';
import { FORBIDDEN_IN_TEXT, idSchema, integerParameter, safeIntegerSchema, timestampSchema } from './common';
import { defineSchema } from './define';
import { jsonObject, strictObject, variant } from './json-objects';
import { reactionSummarySchema } from './reactions';

export const MAX_TEXT_LENGTH = 5000;

export const messageTextSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.string(),
    v.check((text) => text.trim().length > 0, 'must not be blank'),
    v.check((text) => [...text].length <= MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
    // Isolates (U+2066-2069) and zero-width joiners stay: right-to-left text and emoji sequences need them.
    v.check(
      (text) => !FORBIDDEN_IN_TEXT.test(text),
      'must not contain lone surrogates, bidi overrides or controls but newline and tab',
    ),
  ),
);

export const MAX_METADATA_BYTES = 2048;
export const MAX_METADATA_DEPTH = 3;
export const MAX_METADATA_STRING = 500;

/**
 * The first rule a metadata value breaks, if any: nesting (objects and arrays) at most 3 deep counting the
 * metadata object itself, non-empty keys, strings of at most 500 characters without lone surrogates, and
 * numbers DynamoDB could store (0, or magnitude from 1e-130 to below 1e126; a parsed JSON number has at most
 * 17 significant digits, within DynamoDB's 38), and at most 2 KB of JSON in all. It stops at the first container past the depth limit, so
 * metadata nested 10,000 deep costs no more than metadata nested 4 deep.
 */
export function metadataProblem(value: unknown, depth = 1): string | undefined {
  if (typeof value === 'string') {
    if (value.length > MAX_METADATA_STRING)
      return `strings must be at most ${MAX_METADATA_STRING} characters`;
    return FORBIDDEN_IN_TEXT.test(value) ? 'strings must be valid text' : undefined;
  }
  if (typeof value === 'number') {
    const size = Math.abs(value);
    return size === 0 || (size >= 1e-130 && size < 1e126)
      ? undefined
      : 'numbers must be 0 or 1e-130 to 1e126';
  }
  // null and booleans; JSON has nothing else that is not an object or array.
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_METADATA_DEPTH) return `must be nested at most ${MAX_METADATA_DEPTH} deep`;
  // Object keys, or an array's indexes (never empty).
  for (const key in value) {
    const problem = key === '' ? 'keys must not be empty' : metadataProblem((value as never)[key], depth + 1);
    if (problem) return problem;
  }
  // The size last, once the value is known to be shallow: serialising one nested 10,000 deep would overflow.
  if (depth === 1 && Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) {
    return `must be at most ${MAX_METADATA_BYTES} bytes of JSON`;
  }
  return undefined;
}

/** A voice note's length is at most a day; its waveform at most 100 samples of 0-255. */
const MAX_AUDIO_DURATION_MS = 86_400_000;
const MAX_WAVEFORM_SAMPLES = 100;

export const messageContentInputSchema = /* @__PURE__ */ defineSchema(() => {
  /** `{type: "string"}` is what older clients send; it is the same as `text` and stored as `text`. */
  const text = strictObject({ type: v.picklist(['text', 'string']), text: messageTextSchema });
  const metadata = v.pipe(
    jsonObject(),
    v.check(
      (value) => metadataProblem(value) === undefined,
      (issue) => metadataProblem(issue.input) ?? '',
    ),
    v.description('Free-form JSON for clients (duration, dimensions, caption), at most 2 KB (see docs)'),
  );
  const video = strictObject({
    type: v.literal('video'),
    video: v.pipe(idSchema, v.description('The id of your own ready attachment upload of a video type')),
    metadata: v.optional(metadata),
  });
  const image = strictObject({
    type: v.literal('image'),
    image: v.pipe(idSchema, v.description('The id of your own ready attachment upload of an image type')),
    metadata: v.optional(metadata),
  });
  const file = strictObject({
    type: v.literal('file'),
    file: v.pipe(
      idSchema,
      v.description('The id of your own ready attachment upload of any type: offered as a download'),
    ),
    metadata: v.optional(metadata),
  });
  const audio = strictObject({
    type: v.literal('audio'),
    audio: v.pipe(idSchema, v.description('The id of your own ready attachment upload of an audio type')),
    durationMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_AUDIO_DURATION_MS))),
    waveform: v.optional(
      v.pipe(
        v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255))),
        v.minLength(1),
        v.maxLength(MAX_WAVEFORM_SAMPLES),
        v.description('Loudness samples over the recording, 0 (silence) to 255, at most 100'),
      ),
    ),
    metadata: v.optional(metadata),
  });
  return v.pipe(
    variant('type', [text, video, image, file, audio]),
    v.metadata({ id: 'MessageContentInput' }),
  );
});

export const clientMessageIdSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.string(),
    v.minLength(1),
    v.maxLength(100),
    v.regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces'),
    v.description('Retries with the same value return the original message instead of sending again'),
  ),
);

export const sendMessageRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      content: messageContentInputSchema,
      clientMessageId: v.optional(clientMessageIdSchema),
      parentMessageId: v.optional(
        v.pipe(
          v.string(),
          v.minLength(1),
          v.maxLength(64),
          v.description(
            "Makes the message a reply in that message's thread (a reply to a reply joins the same thread)",
          ),
        ),
      ),
    }),
    v.metadata({ id: 'SendMessageRequest' }),
  ),
);

/** Exactly one of recipient or conversationId (checked once the fields themselves are valid). */
const hasOneTarget = (value: { recipient?: string; conversationId?: string }) =>
  (value.recipient === undefined) !== (value.conversationId === undefined);
const ONE_TARGET = 'exactly one of recipient or conversationId is required';

export const legacySendMessageRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      sender: v.optional(v.pipe(idSchema, v.description('If present, must be the caller'))),
      recipient: v.optional(
        v.pipe(
          idSchema,
          v.description(
            'A user id: the message goes to the direct conversation with them (your own id: your notes to self)',
          ),
        ),
      ),
      conversationId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
      content: messageContentInputSchema,
      clientMessageId: v.optional(clientMessageIdSchema),
    }),
    v.forward(
      v.check((value) => hasOneTarget(value), ONE_TARGET),
      ['recipient'],
    ),
    v.metadata({ id: 'LegacySendMessageRequest' }),
  ),
);

export const editMessageRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(strictObject({ text: messageTextSchema }), v.metadata({ id: 'EditMessageRequest' })),
);

export const markReadRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({ messageId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) }),
    v.metadata({ id: 'MarkReadRequest' }),
  ),
);

export const messageContentSchema = /* @__PURE__ */ defineSchema(() => {
  const mediaDelivery = {
    url: v.pipe(
      v.string(),
      v.description('The file through the CDN: a signed URL that expires at urlExpiresAt'),
    ),
    urlExpiresAt: timestampSchema,
    contentType: v.string(),
    size: safeIntegerSchema,
    metadata: v.optional(jsonObject()),
  };
  const fileDelivery = {
    fileName: v.pipe(
      v.nullable(v.string()),
      v.description("The uploader's file name, made safe; the download is saved under it"),
    ),
  };
  return v.pipe(
    v.union([
      v.object({ type: v.literal('text'), text: v.string() }),
      v.object({ type: v.literal('string'), text: v.string() }),
      v.object({ type: v.literal('video'), video: v.string(), ...mediaDelivery }),
      v.object({ type: v.literal('image'), image: v.string(), ...mediaDelivery }),
      v.object({ type: v.literal('file'), file: v.string(), ...mediaDelivery, ...fileDelivery }),
      v.object({
        type: v.literal('audio'),
        audio: v.string(),
        ...mediaDelivery,
        ...fileDelivery,
        durationMs: v.optional(safeIntegerSchema),
        waveform: v.optional(v.array(safeIntegerSchema)),
      }),
    ]),
    v.metadata({ id: 'MessageContent' }),
  );
});

export const messageSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: v.pipe(v.string(), v.description('A ULID: sorts by time, unique even within one millisecond')),
      conversationId: v.string(),
      senderId: idSchema,
      content: v.pipe(v.nullable(messageContentSchema), v.description('null once the message is deleted')),
      createdAt: timestampSchema,
      editedAt: v.optional(timestampSchema),
      deletedAt: v.optional(timestampSchema),
      clientMessageId: v.optional(v.string()),
      parentMessageId: v.optional(
        v.pipe(v.string(), v.description("A reply: the id of its thread's root message")),
      ),
      replyCount: v.optional(
        v.pipe(
          safeIntegerSchema,
          v.description('A thread root: how many replies were sent to it (deleted ones included)'),
        ),
      ),
      lastReplyAt: v.optional(
        v.pipe(timestampSchema, v.description('A thread root: when its latest reply was sent')),
      ),
      reactions: v.optional(
        v.pipe(
          v.array(reactionSummarySchema),
          v.description(
            'Reactions per emoji, in emoji order, with whether you reacted: in every HTTP response (empty when none, and once deleted); left out of `message.*` events, whose `reaction.*` events carry the changes',
          ),
        ),
      ),
    }),
    v.metadata({ id: 'Message' }),
  ),
);

export const messagePreviewSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      id: v.string(),
      senderId: idSchema,
      type: v.string(),
      preview: v.pipe(
        v.string(),
        v.description('The first 100 characters of text, or "[image]", "[video]", "[file]", "[audio]"'),
      ),
      createdAt: timestampSchema,
    }),
    v.metadata({ id: 'MessagePreview' }),
  ),
);

export const messagePageSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      items: v.array(messageSchema),
      nextCursor: v.pipe(
        v.nullable(v.string()),
        v.description(
          'Pass as `cursor` for the next page, in the same direction (older, or newer for the `after` form); null at the end',
        ),
      ),
    }),
    v.metadata({ id: 'MessagePage' }),
  ),
);

const messagePageQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    limit: integerParameter(1, 100, 50),
    cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
    after: v.optional(
      v.pipe(
        v.string(),
        v.minLength(1),
        v.maxLength(64),
        v.description(
          'Catch-up after a reconnect: messages newer than this id, oldest first; go on with `nextCursor`',
        ),
      ),
    ),
  }),
);

/** `?includeReplies=true|false`: query strings carry text, so the two words are its only values. */
const includeRepliesParameter = () =>
  v.optional(
    v.pipe(
      v.picklist(['true', 'false']),
      v.description(
        'Whether thread replies appear in the history too (default false: messages outside threads and thread roots)',
      ),
    ),
  );

export const historyQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({ ...messagePageQuerySchema.entries, includeReplies: includeRepliesParameter() }),
);

export const repliesQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    limit: integerParameter(1, 100, 50),
    cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  }),
);

export const legacyMessagesQuerySchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      ...messagePageQuerySchema.entries,
      recipient: v.optional(idSchema),
      conversationId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
    }),
    v.forward(
      v.check((value) => hasOneTarget(value), ONE_TARGET),
      ['recipient'],
    ),
  ),
);

export const messageParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
    messageId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  }),
);

export type MessageContentInput = v.InferOutput<typeof messageContentInputSchema>;
export type Message = v.InferOutput<typeof messageSchema>;
export type MessagePreview = v.InferOutput<typeof messagePreviewSchema>;

export const readMarkerSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      conversationId: v.string(),
      userId: idSchema,
      lastReadMessageId: v.nullable(v.string()),
      lastReadAt: v.nullable(timestampSchema),
    }),
    v.metadata({ id: 'ReadMarker' }),
  ),
);
