import * as v from 'valibot';
import { timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';

/** An ISO 8601 time with a zone (Z or an offset); whether it is in range is the domain's to say. */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)$/;

export const muteRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      until: v.optional(
        v.pipe(
          v.string(),
          v.regex(ISO_TIME, 'must be an ISO 8601 time with a zone, e.g. 2026-01-31T18:00:00Z'),
          v.description('When the mute ends: in the future, at most a year ahead. Absent: until unmuted'),
        ),
      ),
    }),
    v.metadata({ id: 'MuteRequest' }),
  ),
);

export const muteStateSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      conversationId: v.string(),
      muted: v.boolean(),
      mutedUntil: v.optional(
        v.pipe(timestampSchema, v.description('When the mute ends; absent: muted until unmuted')),
      ),
    }),
    v.metadata({ id: 'MuteState' }),
  ),
);

export type MuteRequest = v.InferOutput<typeof muteRequestSchema>;
