/**
 * The local stand-in for a Lambda event source mapping on the table's stream: polls DynamoDB Local's stream,
 * hands each shard's records to the handler in order, in batches, and retries from the first failed record
 * when the handler reports partial batch failures, as Lambda does.
 */
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

const POLL_INTERVAL_MS = 50;
const MAX_ATTEMPTS = 3;

function toLambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
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
}): StreamPoller {
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

  async function deliver(records: DynamoDBRecord[]) {
    let pending = records;
    for (let attempt = 1; pending.length > 0 && attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        const result = await options.handler({ Records: pending });
        const failed = new Set(result?.batchItemFailures?.map((failure) => failure.itemIdentifier) ?? []);
        const firstFailed = pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
        pending = firstFailed === -1 ? [] : pending.slice(firstFailed);
      } catch (error) {
        options.onError?.(error);
      }
    }
    if (pending.length > 0)
      options.onError?.(new Error(`dropped ${pending.length} stream records after retries`));
  }

  async function pollShard(shardId: string, iterator: string) {
    const { Records, NextShardIterator } = await client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }),
    );
    if (Records?.length) {
      idleRounds = 0;
      const records = Records.map((record) => toLambdaRecord(record, options.streamArn, options.region));
      const accepted = options.accept ? records.filter(options.accept) : records;
      if (accepted.length > 0) await deliver(accepted);
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
