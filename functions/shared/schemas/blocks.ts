import * as v from 'valibot';
import { idSchema, integerParameter, timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const blockParamsSchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    userId: v.pipe(
      idSchema,
      v.regex(ULID, 'is not a user id'),
      v.description('The user to block or unblock'),
    ),
  }),
);

export const blockSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      userId: idSchema,
      username: v.optional(v.string()),
      displayName: v.optional(v.string()),
      blockedAt: timestampSchema,
    }),
    v.metadata({ id: 'Block', description: 'A user you blocked' }),
  ),
);

export const blockListSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({ items: v.array(blockSchema), nextCursor: v.nullable(v.string()) }),
    v.metadata({ id: 'BlockList' }),
  ),
);

export const blockListQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    limit: integerParameter(1, 100, 50),
    cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  }),
);
