/**
 * The local stand-in for a Lambda event source mapping on the table's stream: polls DynamoDB Local's stream,
 * hands each shard's records to the handler in order, in batches, with the stack's settings
 * (functions/shared/async-delivery.ts): retries from the first failed record when the handler reports
 * partial batch failures, splits a batch in two when the handler fails as a whole, gives up after the retry
 * limit or the maximum record age, and then writes the records to the dead-letter store as Lambda writes to
 * the dead-letter queue.
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

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

const POLL_INTERVAL_MS = 50;

export interface DeliverySettings {
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
  /** Resolves once every record written so far has been handed to the handler (for tests and benchmarks). */
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
  const iterators = new Map<string, string | undefined>();
  const finished = new Set<string>();
  let running = true;
  let firstDescribe = true;
  let idleRounds = 0;

  async function refreshShards() {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn: options.streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId || iterators.has(shardId) || finished.has(shardId)) continue;
      // Shards that existed before we started hold history we must not replay; new shards are read whole.
      const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamArn: options.streamArn,
          ShardId: shardId,
          ShardIteratorType: firstDescribe ? 'LATEST' : 'TRIM_HORIZON',
        }),
      );
      if (firstDescribe && !open) finished.add(shardId);
      else iterators.set(shardId, ShardIterator);
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

  async function pollShard(shardId: string, iterator: string) {
    const { Records, NextShardIterator } = await client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }),
    );
    if (Records?.length) {
      idleRounds = 0;
      const records = Records.map((record) => toLambdaRecord(record, options.streamArn, options.region));
      const accepted = options.accept ? records.filter(options.accept) : records;
      if (accepted.length > 0) await deliver(shardId, accepted);
    }
    if (NextShardIterator) iterators.set(shardId, NextShardIterator);
    else {
      iterators.delete(shardId);
      finished.add(shardId);
    }
  }

  const loop = (async () => {
    let round = 0;
    while (running) {
      try {
        if (round % 20 === 0) await refreshShards();
        round += 1;
        idleRounds += 1;
        for (const [shardId, iterator] of iterators) {
          if (iterator && running) await pollShard(shardId, iterator);
        }
      } catch (error) {
        if (running) options.onError?.(error);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      client.destroy();
    },
    async drain() {
      idleRounds = 0;
      while (idleRounds < 3) await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    },
  };
}
