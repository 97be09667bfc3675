import * as v from 'valibot';
import { integerParameter, safeIntegerSchema } from './common';
import { conversationListSchema } from './conversations';
import { defineSchema } from './define';
import { strictObject } from './json-objects';
import { feedEventSchema } from './realtime';

/** The largest page of events one call returns. */
export const MAX_SYNC_PAGE = 500;

export const syncQuerySchema = /* @__PURE__ */ defineSchema(() =>
  strictObject({
    since: v.optional(
      v.pipe(
        v.string(),
        v.minLength(1),
        v.maxLength(512),
        v.description('A cursor from an event, or the nextCursor of the previous page; none to start'),
      ),
    ),
    limit: integerParameter(1, MAX_SYNC_PAGE, 100),
  }),
);

export const syncPageSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      events: v.pipe(
        v.array(feedEventSchema),
        v.description('What changed for you since the cursor, in the order it happened'),
      ),
      nextCursor: v.pipe(v.string(), v.description('Pass as `since` to continue after the last event')),
      hasMore: v.pipe(v.boolean(), v.description('More events follow: call again with nextCursor')),
      retryAfterMs: v.optional(
        v.pipe(
          safeIntegerSchema,
          v.description(
            'Events are still being written: call again after this many milliseconds (hasMore is true)',
          ),
        ),
      ),
      // Without `since` only: the first page of your inbox, as GET /conversations shows it.
      inbox: v.optional(conversationListSchema),
    }),
    v.metadata({
      id: 'SyncPage',
      description:
        'A page of your stream of changes (see docs/realtime.md, "Catching up"); without `since`, also `inbox`: the first page of your inbox, as GET /conversations shows it',
    }),
  ),
);

export type SyncPage = v.InferInput<typeof syncPageSchema>;
