/** Reactions: the path that names one, the counts a message carries, and the page of who reacted. */
import * as v from 'valibot';
import { canonicalEmoji } from '../domain/emoji';
import { idSchema, integerParameter, timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';

export const reactionParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
    messageId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    emoji: v.pipe(
      v.string(),
      v.minLength(1),
      v.maxLength(256),
      // Validated and made canonical in one step: handlers get the emoji as stored (`:thumbsup:` -> 👍).
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const emoji = canonicalEmoji(dataset.value);
        if (emoji !== undefined) return emoji;
        addIssue({ message: 'must be one emoji or a :short_name: of the list' });
        return NEVER;
      }),
      v.description(
        'One emoji (a single grapheme of the Unicode RGI emoji set, percent-encoded UTF-8 in the path, e.g. `%F0%9F%91%8D` for 👍), or a short name such as `:thumbsup:` (README lists them). Short names and emoji typed without their variation selector are stored and shown as the emoji.',
      ),
    ),
  }),
);

export const reactionSummarySchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      emoji: v.string(),
      count: v.pipe(v.number(), v.integer(), v.minValue(1)),
      me: v.pipe(v.boolean(), v.description('Whether you reacted with this emoji')),
    }),
    v.metadata({ id: 'ReactionSummary' }),
  ),
);

export const reactorPageQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    limit: integerParameter(1, 100, 50),
    cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  }),
);

export const reactorPageSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      items: v.array(
        v.object({
          userId: idSchema,
          reactedAt: timestampSchema,
        }),
      ),
      nextCursor: v.pipe(
        v.nullable(v.string()),
        v.description('Pass as `cursor` for the next page; null at the end'),
      ),
    }),
    v.metadata({ id: 'ReactorPage' }),
  ),
);

export type ReactionSummary = v.InferOutput<typeof reactionSummarySchema>;
