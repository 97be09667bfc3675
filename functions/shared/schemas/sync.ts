import * as z from 'zod/mini';
import { conversationListSchema } from './conversations';
import { defineSchema } from './define';
import { feedEventSchema } from './realtime';

/** The largest page of events one call returns. */
export const MAX_SYNC_PAGE = 500;

export const syncQuerySchema = /* @__PURE__ */ defineSchema(() =>
  z.strictObject({
    since: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(512),
          z.describe('A cursor from an event, or the nextCursor of the previous page; none to start'),
        ),
    ),
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_SYNC_PAGE)), 100),
  }),
);

export const syncPageSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      events: z
        .array(feedEventSchema)
        .check(z.describe('What changed for you since the cursor, in the order it happened')),
      nextCursor: z.string().check(z.describe('Pass as `since` to continue after the last event')),
      hasMore: z.boolean().check(z.describe('More events follow: call again with nextCursor')),
      retryAfterMs: z
        .optional(z.int())
        .check(
          z.describe(
            'Events are still being written: call again after this many milliseconds (hasMore is true)',
          ),
        ),
      inbox: z
        .optional(conversationListSchema)
        .check(
          z.describe('Without `since` only: the first page of your inbox, as GET /conversations shows it'),
        ),
    })
    .register(z.globalRegistry, {
      id: 'SyncPage',
      description: 'A page of your stream of changes (see docs/realtime.md, "Catching up")',
    }),
);

export type SyncPage = z.input<typeof syncPageSchema>;
