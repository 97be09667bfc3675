/**
 * Reads the table's stream and updates what follows from each change (see projections/), reporting partial
 * batch failures (ReportBatchItemFailures) so Lambda retries from the failed record, not the whole batch.
 * How failures are retried and dead-lettered: shared/async-delivery.ts and docs/operations.md.
 */

import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { MESSAGE_PREFIX } from '../shared/data/keys';
import { toMessage } from '../shared/data/messages-store';
import { writtenHere } from '../shared/data/origin';
import { readImage as image } from '../shared/data/stream-image';
import { logger } from '../shared/logger';
import { metrics, recordMilliseconds, useMetricsSink } from '../shared/metrics';
import { powertoolsSink } from '../shared/metrics/powertools';
import { onMessageChanged, onMessageCreated } from '../shared/projections/inbox';
import { createRealtimeProjector, type RealtimeProjector } from '../shared/projections/realtime';
import { onProfileChanged } from '../shared/projections/replaced-avatars';
import { managementApiSender } from '../shared/realtime/connection-sender';
import { closeConnectionsOf } from '../shared/realtime/session-connections';
import { PICTURE_CHANGES, SESSION_ENDS } from './stream-filter';

/** A session item was removed: close its WebSockets (their access tokens would otherwise work until expiry). */
async function onSessionRemoved(keys: Record<string, unknown> | undefined): Promise<void> {
  const userId = String(keys?.PK ?? '').slice('USER#'.length);
  const sessionId = String(keys?.SK ?? '').slice(SESSION_ENDS.sortKeyPrefix.length);
  const closer = managementApiSender();
  if (!userId || !sessionId || !closer) return;
  await closeConnectionsOf(userId, { sessionId }, closer);
}

async function project(record: DynamoDBRecord): Promise<void> {
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  const sortKey = (newImage?.SK ?? oldImage?.SK) as string | undefined;
  if (record.eventName === SESSION_ENDS.eventName && sortKey?.startsWith(SESSION_ENDS.sortKeyPrefix)) {
    return onSessionRemoved(image(record.dynamodb?.Keys));
  }
  if (sortKey === PICTURE_CHANGES.sortKey) return onProfileChanged(oldImage, newImage);
  if (!newImage || !sortKey?.startsWith(MESSAGE_PREFIX)) return;
  // Multi-region: the fan-out and previews run once, in the region the message was written in.
  if (!writtenHere(newImage)) return;
  const message = toMessage(newImage);
  if (record.eventName === 'INSERT') await onMessageCreated(message);
  else if (record.eventName === 'MODIFY') await onMessageChanged(message);
}

/**
 * The inbox and real-time projections of a record run side by side (delivery does not wait for a large
 * group's inbox fan-out); the record fails if either does, once both have finished. A retried record may
 * deliver its event again: clients tell repeats by the message id.
 */
async function projectBoth(record: DynamoDBRecord, realtime: RealtimeProjector): Promise<void> {
  const results = await Promise.allSettled([project(record), realtime.project(record)]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Thrown when the batch's first record fails: Lambda then splits the batch (see the handler). */
export class FirstRecordFailed extends Error {
  constructor(
    readonly eventId: string | undefined,
    options: { cause: unknown },
  ) {
    super(`The first record of the batch (${eventId}) failed; split the batch to isolate it`, options);
    this.name = 'FirstRecordFailed';
  }
}

useMetricsSink(powertoolsSink());

/** How long the oldest record waited: the stream's lag as this function sees it (second resolution). */
function recordBatchAge(event: DynamoDBStreamEvent, now = Date.now()) {
  const created = event.Records.map((record) => record.dynamodb?.ApproximateCreationDateTime).filter(
    (seconds): seconds is number => seconds !== undefined,
  );
  if (created.length > 0)
    recordMilliseconds('StreamBatchAge', Math.max(0, now - Math.min(...created) * 1000));
}

type BatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** Records the batch's age, and publishes the invocation's metrics however the batch ends. */
const withMetrics =
  (handle: BatchHandler): BatchHandler =>
  async (event) => {
    recordBatchAge(event);
    try {
      return await handle(event);
    } finally {
      metrics.flush();
    }
  };

/**
 * Records of one conversation (one partition key) are handled in order; different conversations in parallel,
 * so a failing record or a large group's fan-out does not hold up delivery in other conversations. On a
 * failure, the earliest failed record and everything after it are reported; Lambda retries from there
 * (projections are idempotent, and clients tell repeated events by their ids).
 *
 * When the earliest failure is the batch's first record, reporting it would retry the same batch and make no
 * progress; the handler throws instead, so Lambda (bisectBatchOnFunctionError) splits the batch in two until
 * the failing record is alone: only it exhausts its retries and goes to the dead-letter queue.
 */
export const handler = withMetrics(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  // One per batch: it remembers members and connections for the length of the batch.
  const realtime = createRealtimeProjector();
  const byConversation = new Map<string, { record: DynamoDBRecord; index: number }[]>();
  for (const [index, record] of event.Records.entries()) {
    const partition = JSON.stringify(record.dynamodb?.Keys?.PK ?? index);
    byConversation.set(partition, [...(byConversation.get(partition) ?? []), { record, index }]);
  }
  const failures = new Map<number, unknown>();
  const firstFailures = await Promise.all(
    [...byConversation.values()].map(async (records) => {
      for (const { record, index } of records) {
        try {
          await projectBoth(record, realtime);
        } catch (error) {
          logger.error('stream record failed', { eventId: record.eventID, error: error as Error });
          failures.set(index, error);
          return index;
        }
      }
      return undefined;
    }),
  );
  const failedAt = Math.min(...firstFailures.filter((index): index is number => index !== undefined));
  if (!Number.isFinite(failedAt)) return { batchItemFailures: [] };
  if (failedAt === 0 && event.Records.length > 1) {
    throw new FirstRecordFailed(event.Records[0]?.eventID, { cause: failures.get(0) });
  }
  return {
    batchItemFailures: event.Records.slice(failedAt).map((failed) => ({
      itemIdentifier: failed.dynamodb?.SequenceNumber ?? '',
    })),
  };
});
