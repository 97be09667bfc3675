/**
 * Reads the table's stream and carries out what each change means: users' change feeds and their sockets
 * (events), inbox entries and previews, deleted profile pictures. Reports partial batch failures
 * (ReportBatchItemFailures) so Lambda retries from the failed record, not the whole batch. How failures are
 * retried and dead-lettered: shared/async-delivery.ts and docs/operations.md.
 *
 * A batch is handled as a whole, so that its cost grows with the users and conversations it touches rather
 * than with its records (under load batches grow, and the work per record shrinks):
 *  1. per conversation (in parallel; its records in commit order): one read of its members, then the plan of
 *     who is told what, what inboxes apply and what the preview shows (projections/conversation-batch.ts);
 *  2. per recipient, one update takes positions for their events and says where they are connected
 *     (events/publisher.ts); the events are posted to the sockets at once, while
 *  3. the inbox entries (one update per member and conversation) and previews are brought up to date, and only
 *     then the events' entries are written to the feeds.
 * Entries after inboxes: GET /sync starts a client at the highest position below which every entry is
 * written, then reads the inbox; whatever that position covers already shows in the inbox.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { config } from '../shared/config';
import { toAccountDeletion } from '../shared/data/account-deletion-store';
import { ownerFromImage } from '../shared/data/connections-store';
import { toDataExport } from '../shared/data/data-export-store';
import { CONNECTION_OWNER_SORT_KEY, PRESENCE_SET_IN, SINGLE_REGION } from '../shared/data/keys';
import { writtenHere } from '../shared/data/origin';
import { readImage as image } from '../shared/data/stream-image';
import { continueAccountDeletion } from '../shared/domain/account-deletion';
import { buildExport } from '../shared/domain/data-export';
import { byRecipientSlices, postEvents, takePositionsFor, writeEvents } from '../shared/events/publisher';
import { logger } from '../shared/logger';
import { metrics, recordMilliseconds, useMetricsSink } from '../shared/metrics';
import { powertoolsSink } from '../shared/metrics/powertools';
import { changeOf, conversationOf, type RecordedChange, streamPosition } from '../shared/projections/changes';
import {
  blockersFor,
  type ConversationPlan,
  planConversation,
} from '../shared/projections/conversation-batch';
import { applyInboxOps } from '../shared/projections/inbox';
import { applyPreviewChanges } from '../shared/projections/previews';
import { onProfileChanged } from '../shared/projections/replaced-avatars';
import { type ConnectionSender, managementApiSender } from '../shared/realtime/connection-sender';
import { closeConnectionsOf, registerConnection, unregisterConnection } from '../shared/realtime/connections';
import {
  addReports,
  type DeliveryReport,
  emptyReport,
  forEachConcurrently,
} from '../shared/realtime/delivery';
import { announcePresence, announcePresenceSetting } from '../shared/realtime/presence';
import { type RecheckScheduler, recheckScheduler } from '../shared/realtime/presence-rechecks';
import { ACCOUNT_DELETION_STEPS, DATA_EXPORTS, PICTURE_CHANGES, SESSION_ENDS } from './stream-filter';

/** Inbox entries updated at once (each one small UpdateItem). */
const INBOX_CONCURRENCY = 32;

/** Where events are posted, and where presence changes held back by the debounce are rescheduled. */
interface StreamDeps {
  sender: ConnectionSender | undefined;
  recheck: RecheckScheduler | undefined;
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

interface Group {
  conversationId: string | undefined;
  records: { record: DynamoDBRecord; index: number }[];
}

/** A conversation's plan carried out up to the events: its inbox entries and its preview. */
async function applyProjections(plan: ConversationPlan): Promise<void> {
  await Promise.all([
    forEachConcurrently([...plan.inbox.entries()], INBOX_CONCURRENCY, ([userId, ops]) =>
      applyInboxOps({ conversationId: plan.conversationId, userId }, ops),
    ),
    applyPreviewChanges(plan.preview),
  ]);
}

/**
 * A user's records (not a conversation's): a session item removed (ended by the user, by refresh-token reuse
 * detection, or expired by TTL) closes that session's WebSockets, whose access tokens would otherwise keep
 * them open until they expire; a replaced picture's file is deleted; a deleted account's marker runs the next
 * step of its sweep (domain/account-deletion.ts); a pending data export is written (domain/data-export.ts).
 */
async function handleUserRecord(record: DynamoDBRecord, deps: StreamDeps): Promise<void> {
  const { sender } = deps;
  const keys = image(record.dynamodb?.Keys);
  const sortKey = String(keys?.SK ?? '');
  const userId = String(keys?.PK ?? '').slice('USER#'.length);
  if (record.eventName === SESSION_ENDS.eventName && sortKey.startsWith(SESSION_ENDS.sortKeyPrefix)) {
    const sessionId = sortKey.slice(SESSION_ENDS.sortKeyPrefix.length);
    if (sender && userId && sessionId) await closeConnectionsOf(userId, { sessionId }, { sender });
    return;
  }
  const next = image(record.dynamodb?.NewImage);
  const previous = image(record.dynamodb?.OldImage);
  if (sortKey === DATA_EXPORTS.sortKey) {
    if (next && writtenHere(next)) await buildExport(toDataExport(next));
    return;
  }
  if (sortKey === ACCOUNT_DELETION_STEPS.sortKey) {
    // Each write of the marker runs the sweep's next step, once, in the region that wrote it.
    if (next && writtenHere(next)) await continueAccountDeletion(toAccountDeletion(next), { sender });
    return;
  }
  if (sortKey === CONNECTION_OWNER_SORT_KEY) {
    await onConnectionChanged(record, next, previous, deps);
    return;
  }
  if (sortKey === PICTURE_CHANGES.sortKey) {
    // Pictures are deleted where the bucket is: other regions' consumers have no media (and no such filter).
    if (config.media) await onProfileChanged(previous, next);
    if (userId) await onPresenceSettingChanged(userId, record, next, previous, deps);
  }
}

/**
 * A profile written by a request that set `showPresence` (PRESENCE_SET_IN): when the setting changed, it is
 * announced, once, by the consumer of the region the request was served in.
 */
async function onPresenceSettingChanged(
  userId: string,
  record: DynamoDBRecord,
  next: Record<string, unknown> | undefined,
  previous: Record<string, unknown> | undefined,
  deps: StreamDeps,
): Promise<void> {
  if (record.eventName !== 'MODIFY' || next?.[PRESENCE_SET_IN] !== (config.region ?? SINGLE_REGION)) return;
  const shown = next.showPresence !== false;
  if (shown === (previous?.showPresence !== false)) return;
  await announcePresenceSetting(userId, shown, deps);
}

/**
 * A connection's owner item put ($connect) or deleted ($disconnect, or TTL long after): the connection is
 * registered on (or removed from) its user's feed head, then the user's presence is announced if it changed.
 * Multi-region: once, in the region whose WebSocket API holds the connection.
 */
async function onConnectionChanged(
  record: DynamoDBRecord,
  next: Record<string, unknown> | undefined,
  previous: Record<string, unknown> | undefined,
  deps: StreamDeps,
): Promise<void> {
  const { sender } = deps;
  const connectionId = String(image(record.dynamodb?.Keys)?.PK ?? '').slice('CONN#'.length);
  const opened = record.eventName === 'INSERT' ? ownerFromImage(next) : undefined;
  const closed = record.eventName === 'REMOVE' ? ownerFromImage(previous) : undefined;
  const owner = opened ?? closed;
  if (!owner || !connectionId || !writtenHere(next ?? previous)) return;
  const head = opened
    ? await registerConnection(connectionId, opened, { sender })
    : await unregisterConnection(
        owner.userId,
        connectionId,
        // A deletion by TTL comes hours after the close: it says nothing of the user's last activity. Otherwise
        // now: the record's own time has second (DynamoDB Local: coarser) resolution; the stream's lag is less.
        expiredByTtl(record) ? undefined : new Date(),
      );
  if (head) await announcePresence(head, deps);
}

/** DynamoDB's TTL deletes items as the service principal; a user's deletion carries no such identity. */
const expiredByTtl = (record: DynamoDBRecord) =>
  record.userIdentity?.principalId === 'dynamodb.amazonaws.com';

/**
 * The batch, as Lambda hands it over. Records of one partition (a conversation) keep their order; different
 * conversations are independent, so one failing does not hold up the others. On a failure, the earliest failed
 * record and everything after it are reported; Lambda retries from there. Every step is idempotent or
 * harmless to repeat (inboxes remember what they applied; a repeated event is a duplicate clients ignore).
 *
 * When the earliest failure is the batch's first record, reporting it would retry the same batch and make no
 * progress; the handler throws instead, so Lambda (bisectBatchOnFunctionError) splits the batch in two until
 * the failing record is alone: only it exhausts its retries and goes to the dead-letter queue.
 */
export async function handleBatch(
  event: DynamoDBStreamEvent,
  deps: Partial<StreamDeps> = {},
): Promise<DynamoDBBatchResponse> {
  const sender = 'sender' in deps ? deps.sender : managementApiSender();
  const recheck = 'recheck' in deps ? deps.recheck : recheckScheduler();
  const groups = new Map<string, Group>();
  for (const [index, record] of event.Records.entries()) {
    const conversationId = conversationOf(record);
    const partition = conversationId ?? JSON.stringify(record.dynamodb?.Keys?.PK ?? index);
    const group = groups.get(partition) ?? { conversationId, records: [] };
    group.records.push({ record, index });
    groups.set(partition, group);
  }
  const failures = new Map<number, unknown>();
  const fail = (index: number, error: unknown) => {
    if (!failures.has(index)) failures.set(index, error);
  };

  const plans: { plan: ConversationPlan; first: number }[] = [];
  // Who blocked each author, read once for the whole batch.
  const blockersOf = blockersFor();
  await Promise.all(
    [...groups.values()].map(async ({ conversationId, records }) => {
      const first = records[0]?.index ?? 0;
      if (!conversationId) {
        for (const { record, index } of records) {
          try {
            await handleUserRecord(record, { sender, recheck });
          } catch (error) {
            fail(index, error);
            return;
          }
        }
        return;
      }
      try {
        const changes: RecordedChange[] = records.flatMap(({ record, index }) => {
          // Multi-region: what a write means runs once, in the region it was written in (data/origin.ts).
          if (!writtenHere(image(record.dynamodb?.NewImage ?? record.dynamodb?.OldImage))) return [];
          const change = changeOf(record);
          return change ? [{ index, position: streamPosition(record), change }] : [];
        });
        if (changes.length > 0)
          plans.push({ plan: await planConversation(conversationId, changes, blockersOf), first });
      } catch (error) {
        logger.error('stream records failed', { conversationId, error: error as Error });
        fail(first, error);
      }
    }),
  );

  // A failure of a conversation's events fails its records from its first.
  const failPlansOf = (indexes: Iterable<number>, error: unknown) => {
    for (const index of indexes) {
      const owner = plans.find(({ plan }) => plan.deliveries.some((delivery) => delivery.index === index));
      fail(owner?.first ?? index, error);
    }
  };
  let projections: Promise<void> | undefined;
  const applyAll = () =>
    (projections ??= Promise.all(
      plans.map(async ({ plan, first }) => {
        try {
          await applyProjections(plan);
        } catch (error) {
          logger.error('stream records failed', {
            conversationId: plan.conversationId,
            error: error as Error,
          });
          fail(first, error);
        }
      }),
    ).then(() => undefined));
  const report = emptyReport();
  // Slices of recipients, each taken, posted and written before the next: a writer must write what it took
  // within WRITE_DEADLINE_MS (events/publisher.ts), however large the batch (a group of 256 adding 98 members
  // is 25,000 entries).
  for (const slice of byRecipientSlices(plans.flatMap(({ plan }) => plan.deliveries))) {
    const positions = await takePositionsFor(slice);
    failPlansOf(positions.failed, new Error('feed positions could not be taken'));
    const posting: Promise<DeliveryReport> = sender
      ? postEvents(positions.taken, sender)
      : Promise.resolve(emptyReport());
    await applyAll();
    const [posted, unwritten] = await Promise.all([posting, writeEvents(positions.taken)]);
    addReports(report, posted);
    failPlansOf(unwritten, new Error('events could not be appended to a feed'));
  }
  await applyAll();
  logger.debug('stream batch', { records: event.Records.length, ...report });

  const failedAt = Math.min(...failures.keys());
  if (!Number.isFinite(failedAt)) return { batchItemFailures: [] };
  for (const [index, error] of failures) {
    logger.error('stream record failed', { eventId: event.Records[index]?.eventID, error: error as Error });
  }
  if (failedAt === 0 && event.Records.length > 1) {
    throw new FirstRecordFailed(event.Records[0]?.eventID, { cause: failures.get(0) });
  }
  return {
    batchItemFailures: event.Records.slice(failedAt).map((failed) => ({
      itemIdentifier: failed.dynamodb?.SequenceNumber ?? '',
    })),
  };
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

/** Records the batch's age, and publishes the invocation's metrics however the batch ends. */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  recordBatchAge(event);
  try {
    return await handleBatch(event);
  } finally {
    metrics.flush();
  }
};
