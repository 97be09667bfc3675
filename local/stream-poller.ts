/**
 * The local stand-in for a Lambda event source mapping on the table's stream: polls DynamoDB Local's stream and
 * hands the records to the handler with the stack's settings (functions/shared/async-delivery.ts), as Lambda
 * does: each shard is polled on its own, and its records are spread over `parallelizationFactor` lanes by
 * partition key (one conversation's records stay in order in one lane; lanes run side by side, and polling
 * goes on while they run). Per lane it retries from the first failed record when the handler reports partial
 * batch failures, splits a batch in two when the handler fails as a whole, gives up after the retry limit or
 * the maximum record age, and then writes the records to the dead-letter store as Lambda writes to the
 * dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { tableStreamDelivery } from '../functions/shared/async-delivery';
import { type DeadLetterStore, functionError, LOCAL_FUNCTION_ARNS } from './dead-letters';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

/**
 * The pause after a poll that found nothing (a poll that found records is followed at once by the next).
 * `nudge()` ends it early: the local stack nudges after every write to the table, so a change is read as soon
 * as it is made without polling DynamoDB Local a hundred times a second.
 */
const IDLE_POLL_MS = 50;
/** How often new shards are looked for. */
const SHARD_REFRESH_MS = 1000;
/** Records waiting in lanes beyond which polling pauses (as Lambda does not read far ahead of its batches). */
const MAX_QUEUED_RECORDS = 5000;
/**
 * drain() gives up, naming the shard, when a shard it waits for has gone this long without a poll that
 * answered (every poll failing, or one hanging): a clear error rather than a test timing out on its own.
 */
const DRAIN_STALL_MS = 10_000;

export interface DeliverySettings {
  batchSize: number;
  parallelizationFactor: number;
  retryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  maxRecordAgeSeconds: number;
  /** Lambda waits longer between retries; locally a short, growing pause keeps tests fast. */
  retryDelayMs: number;
}

/** A record as the stream API returns it, in the shape Lambda hands to the function. */
export function toLambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: change.ApproximateCreationDateTime
        ? Math.floor(change.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: change.Keys as never,
      NewImage: change.NewImage as never,
      OldImage: change.OldImage as never,
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType as never,
    },
  };
}

export interface StreamPoller {
  stop(): Promise<void>;
  /** Something was written: poll now rather than at the next interval. */
  nudge(): void;
  /**
   * Resolves once every record written so far has been handed to the handler (for tests and benchmarks);
   * rejects, naming the shard and its last error, when a shard's polls have failed (or one has hung) for
   * DRAIN_STALL_MS.
   */
  drain(): Promise<void>;
}

export function startStreamPoller(options: {
  endpoint: string;
  region: string;
  streamArn: string;
  handler: StreamHandler;
  /** Lambda event filtering: records it rejects never reach the handler. */
  accept?: (record: DynamoDBRecord) => boolean;
  onError?: (error: unknown) => void;
  /** Where records go when retries run out; without one they are dropped (and reported to onError). */
  deadLetters?: DeadLetterStore;
  delivery?: Partial<DeliverySettings>;
}): StreamPoller {
  const settings: DeliverySettings = {
    batchSize: tableStreamDelivery.batchSize,
    parallelizationFactor: tableStreamDelivery.parallelizationFactor,
    retryAttempts: tableStreamDelivery.retryAttempts,
    bisectBatchOnFunctionError: tableStreamDelivery.bisectBatchOnFunctionError,
    maxRecordAgeSeconds: tableStreamDelivery.maxRecordAgeSeconds,
    retryDelayMs: 20,
    ...options.delivery,
  };
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const known = new Set<string>();
  const shardLoops = new Set<Promise<void>>();
  let running = true;
  let firstDescribe = true;
  /**
   * How drain() knows it is done: polls are numbered; for each shard being read, the number of its latest poll
   * that found nothing while every lane was idle. Drained means every shard came back empty from a poll that
   * started after the drain began (a poll already under way when it began may still bring records), with nothing
   * dispatched since.
   */
  let pollNumber = 0;
  let lastDispatch = 0;
  const quietFrom = new Map<string, number>();
  const reading = new Set<string>();
  /** Per shard being read: when a poll last answered, and the error of the last failed poll since then. */
  const answeredAt = new Map<string, number>();
  const lastError = new Map<string, unknown>();
  let queued = 0;
  let busyLanes = 0;
  /** Wakes the shard loops sleeping after an empty poll. */
  let wake: (() => void)[] = [];
  let nudged = false;
  const idle = () =>
    new Promise<void>((resolve) => {
      if (nudged) {
        nudged = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, IDLE_POLL_MS);
      function done() {
        clearTimeout(timer);
        wake = wake.filter((waiter) => waiter !== done);
        resolve();
      }
      wake.push(done);
    });

  async function refreshShards() {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn: options.streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId || known.has(shardId)) continue;
      known.add(shardId);
      // Shards that existed before we started hold history we must not replay; new shards are read whole.
      const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
      if (firstDescribe && !open) continue;
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamArn: options.streamArn,
          ShardId: shardId,
          ShardIteratorType: firstDescribe ? 'LATEST' : 'TRIM_HORIZON',
        }),
      );
      if (ShardIterator) {
        const loop = pollShard(shardId, ShardIterator);
        shardLoops.add(loop);
        void loop.finally(() => shardLoops.delete(loop));
      }
    }
    firstDescribe = false;
  }

  async function deadLetter(
    shardId: string,
    records: DynamoDBRecord[],
    condition: string,
    invokeCount: number,
    error?: unknown,
  ) {
    const first = records[0];
    const last = records.at(-1);
    if (!first || !last) return;
    const arrival = (record: DynamoDBRecord) =>
      new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();
    if (!options.deadLetters) {
      options.onError?.(new Error(`dropped ${records.length} stream records (${condition})`));
      return;
    }
    const id = await options.deadLetters.put({
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: LOCAL_FUNCTION_ARNS.tableStream,
        condition,
        approximateInvokeCount: invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        functionError: error === undefined ? '' : functionError(error).errorType,
      },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first.dynamodb?.SequenceNumber ?? '',
        endSequenceNumber: last.dynamodb?.SequenceNumber ?? '',
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(last),
        batchSize: records.length,
        streamArn: options.streamArn,
      },
      records,
    });
    options.onError?.(
      new Error(`${records.length} stream record(s) dead-lettered (${condition}): dead-letters/${id}.json`),
    );
  }

  /** One invocation: undefined on success, else where the retry starts (partial failure) or the error. */
  async function invoke(records: DynamoDBRecord[]) {
    try {
      const result = await options.handler({ Records: records });
      const failed = new Set(result?.batchItemFailures?.map((failure) => failure.itemIdentifier) ?? []);
      const firstFailed = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      return firstFailed === -1 ? undefined : { retryFrom: firstFailed };
    } catch (error) {
      return { error };
    }
  }

  const isExpired = (record: DynamoDBRecord) =>
    Date.now() / 1000 - (record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) >
    settings.maxRecordAgeSeconds;

  /** Lambda's handling of one batch, as documented for stream event sources with the settings above. */
  async function deliver(shardId: string, records: DynamoDBRecord[], retriesUsed = 0): Promise<void> {
    const expired = records.filter(isExpired);
    if (expired.length > 0) await deadLetter(shardId, expired, 'RecordAgeExceeded', retriesUsed);
    const batch = records.filter((record) => !isExpired(record));
    if (batch.length === 0) return;
    const failure = await invoke(batch);
    if (!failure) return;
    if ('error' in failure && settings.bisectBatchOnFunctionError && batch.length > 1) {
      // Splitting costs no retry: each half starts with the retries the batch had left.
      const half = Math.ceil(batch.length / 2);
      await deliver(shardId, batch.slice(0, half), retriesUsed);
      await deliver(shardId, batch.slice(half), retriesUsed);
      return;
    }
    const remaining = 'error' in failure ? batch : batch.slice(failure.retryFrom);
    if (retriesUsed >= settings.retryAttempts) {
      const error = 'error' in failure ? failure.error : undefined;
      await deadLetter(shardId, remaining, 'RetryAttemptsExhausted', retriesUsed + 1, error);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, settings.retryDelayMs * 2 ** retriesUsed));
    await deliver(shardId, remaining, retriesUsed + 1);
  }

  /** One lane per partition-key hash: batches of a lane run one after another, lanes side by side. */
  function lanesFor(shardId: string) {
    const lanes = Array.from({ length: settings.parallelizationFactor }, () => ({
      queue: [] as DynamoDBRecord[],
      running: false,
    }));
    const run = async (lane: (typeof lanes)[number]) => {
      if (lane.running) return;
      lane.running = true;
      busyLanes += 1;
      try {
        while (lane.queue.length > 0) {
          const batch = lane.queue.splice(0, settings.batchSize);
          queued -= batch.length;
          await deliver(shardId, batch).catch((error: unknown) => options.onError?.(error));
        }
      } finally {
        lane.running = false;
        busyLanes -= 1;
      }
    };
    return (records: DynamoDBRecord[]) => {
      for (const record of records) {
        const key = JSON.stringify(record.dynamodb?.Keys?.PK ?? record.eventID);
        let hash = 0;
        for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
        lanes[hash % lanes.length]?.queue.push(record);
      }
      queued += records.length;
      for (const lane of lanes) if (lane.queue.length > 0) void run(lane);
    };
  }

  async function pollShard(shardId: string, firstIterator: string) {
    const dispatch = lanesFor(shardId);
    let iterator: string | undefined = firstIterator;
    reading.add(shardId);
    answeredAt.set(shardId, Date.now());
    while (running && iterator) {
      try {
        while (running && queued > MAX_QUEUED_RECORDS) {
          // Waiting on the lanes, not on DynamoDB: not a stall.
          answeredAt.set(shardId, Date.now());
          await sleep(IDLE_POLL_MS);
        }
        pollNumber += 1;
        const thisPoll = pollNumber;
        const page: { Records?: _Record[]; NextShardIterator?: string } = await client.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
        );
        iterator = page.NextShardIterator;
        answeredAt.set(shardId, Date.now());
        lastError.delete(shardId);
        const records = (page.Records ?? []).map((record) =>
          toLambdaRecord(record, options.streamArn, options.region),
        );
        const accepted = options.accept ? records.filter(options.accept) : records;
        if (accepted.length > 0) dispatch(accepted);
        if (records.length > 0) {
          lastDispatch = ++pollNumber;
          quietFrom.delete(shardId);
        } else {
          if (busyLanes === 0 && queued === 0) quietFrom.set(shardId, thisPoll);
          await idle();
        }
      } catch (error) {
        lastError.set(shardId, error);
        if (running) options.onError?.(error);
        await sleep(IDLE_POLL_MS * 10);
      }
    }
    // A closed shard (its last records read) is no longer waited for.
    reading.delete(shardId);
    quietFrom.delete(shardId);
    answeredAt.delete(shardId);
    lastError.delete(shardId);
  }

  function assertNotStalled() {
    for (const shardId of reading) {
      const silentMs = Date.now() - (answeredAt.get(shardId) ?? Date.now());
      if (silentMs < DRAIN_STALL_MS) continue;
      const error = lastError.get(shardId);
      throw new Error(
        `Stream poller: drain() gave up: shard ${shardId} has had no answered poll for ${Math.round(silentMs / 1000)} s` +
          (error === undefined
            ? ' (a poll is hanging)'
            : ` (last error: ${error instanceof Error ? error.message : String(error)})`),
        { cause: error },
      );
    }
  }

  const refresher = (async () => {
    while (running) {
      try {
        await refreshShards();
      } catch (error) {
        if (running) options.onError?.(error);
      }
      await sleep(SHARD_REFRESH_MS);
    }
  })();

  return {
    nudge() {
      const waiting = wake;
      wake = [];
      if (waiting.length === 0) nudged = true;
      for (const done of waiting) done();
    },
    async stop() {
      running = false;
      await refresher;
      await Promise.all([...shardLoops]);
      while (busyLanes > 0) await sleep(IDLE_POLL_MS);
      client.destroy();
    },
    async drain() {
      // Rounds until one in which no shard brought anything: handling records writes items whose own records
      // (previews, feeds) come in the next round.
      for (;;) {
        const from = ++pollNumber;
        const drained = () =>
          busyLanes === 0 &&
          queued === 0 &&
          [...reading].every((shardId) => (quietFrom.get(shardId) ?? 0) > from);
        while (!drained()) {
          assertNotStalled();
          await sleep(IDLE_POLL_MS);
        }
        if (lastDispatch < from) return;
      }
    },
  };
}
