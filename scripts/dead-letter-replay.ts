/**
 * Replays dead letters through the same code that failed on them, once the cause is fixed (`npm run redrive`).
 * A dead letter is removed only after its replay succeeded, so a redrive can be run again and again: what
 * failed stays, and what already went through changes nothing when it goes through twice (every projection is
 * idempotent; see docs/operations.md).
 *
 * Two kinds of dead letters (local/dead-letters.ts): a stream batch (Lambda sends only the sequence range; the
 * records are read back from the table's stream, which keeps them 24 hours) and an asynchronous invocation
 * of the upload check (the whole S3 event is in the dead letter).
 */
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { matchesStreamFilter } from '../functions/streams/stream-filter';
import {
  type DeadLetter,
  isStreamBatch,
  type StoredDeadLetter,
  type StreamBatchDeadLetter,
} from '../local/dead-letters';
import { toLambdaRecord } from '../local/stream-poller';

/** Where dead letters are read from: the local store, or a stage's SQS queue. */
export interface DeadLetterSource {
  description: string;
  /** Pages of dead letters; a letter that is not removed does not come back in the same run. */
  pages(): AsyncIterable<StoredDeadLetter[]>;
  remove(id: string): Promise<void>;
}

/** How a dead letter's work is done again: the local handlers, or the deployed functions. */
export interface Replayer {
  /** Runs the table-stream function on records; throws unless every record succeeded. */
  invokeStream(functionArn: string, records: DynamoDBRecord[]): Promise<void>;
  /** Runs an asynchronously invoked function (the upload check) on its event; throws if it fails. */
  invokeAsync(functionArn: string, payload: unknown): Promise<void>;
  /** The stream client for a stream ARN (to read records back when the dead letter has only their range). */
  streams(streamArn: string): DynamoDBStreamsClient;
}

export interface RedriveOutcome {
  id: string;
  kind: 'stream batch' | 'invocation';
  /** replayed: done and removed; failed: kept (the reason says why); listed: --dry-run. */
  result: 'replayed' | 'failed' | 'listed';
  records?: number;
  reason?: string;
}

/** Stops the thrown reason of a failed batch being empty: names the failed records. */
export function assertNoBatchFailures(response: DynamoDBBatchResponse | undefined | null): void {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length > 0) {
    throw new Error(`${failures.length} record(s) failed again (from ${failures[0]?.itemIdentifier})`);
  }
}

const regionOfArn = (arn: string) => arn.split(':')[3] ?? '';

/**
 * The records of a dead-lettered batch, read back from the stream: from the first sequence number to the
 * last, through the same filter as the event source mapping.
 */
export async function readStreamRange(
  client: DynamoDBStreamsClient,
  info: StreamBatchDeadLetter['DDBStreamBatchInfo'],
): Promise<DynamoDBRecord[]> {
  const end = BigInt(info.endSequenceNumber);
  const records: DynamoDBRecord[] = [];
  let { ShardIterator: iterator } = await client.send(
    new GetShardIteratorCommand({
      StreamArn: info.streamArn,
      ShardId: info.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: info.startSequenceNumber,
    }),
  );
  // An open shard answers "nothing yet" at its end instead of ending: a few empty reads mean we are there.
  for (let emptyReads = 0; iterator && emptyReads < 3; ) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const found = page.Records ?? [];
    emptyReads = found.length === 0 ? emptyReads + 1 : 0;
    for (const record of found) {
      if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) return records;
      records.push(toLambdaRecord(record, info.streamArn, regionOfArn(info.streamArn)));
    }
    iterator = page.NextShardIterator;
  }
  return records;
}

async function recordsOf(letter: StreamBatchDeadLetter, replayer: Replayer): Promise<DynamoDBRecord[]> {
  if (letter.records) return letter.records;
  const info = letter.DDBStreamBatchInfo;
  try {
    const records = await readStreamRange(replayer.streams(info.streamArn), info);
    return records.filter((record) => matchesStreamFilter(record));
  } catch (error) {
    if (error instanceof Error && error.name === 'TrimmedDataAccessException') {
      throw new Error(
        `the stream no longer holds these records (it keeps 24 hours): shard ${info.shardId}, ${info.startSequenceNumber}..${info.endSequenceNumber}`,
      );
    }
    throw error;
  }
}

async function replayOne(letter: DeadLetter, replayer: Replayer): Promise<number | undefined> {
  if (isStreamBatch(letter)) {
    const records = await recordsOf(letter, replayer);
    if (records.length > 0) await replayer.invokeStream(letter.requestContext.functionArn, records);
    return records.length;
  }
  await replayer.invokeAsync(letter.requestContext.functionArn, letter.requestPayload);
  return undefined;
}

export async function redrive(options: {
  source: DeadLetterSource;
  replayer: Replayer;
  dryRun?: boolean;
  log?: (line: string) => void;
}): Promise<RedriveOutcome[]> {
  const log = options.log ?? (() => undefined);
  const outcomes: RedriveOutcome[] = [];
  for await (const page of options.source.pages()) {
    for (const { id, letter } of page) {
      const kind = isStreamBatch(letter) ? 'stream batch' : 'invocation';
      const what = `${kind} ${id} (${letter.requestContext.condition}, ${letter.timestamp})`;
      if (options.dryRun) {
        log(`would replay ${what}`);
        outcomes.push({ id, kind, result: 'listed' });
        continue;
      }
      try {
        const records = await replayOne(letter, options.replayer);
        await options.source.remove(id);
        log(`replayed ${what}${records === undefined ? '' : `: ${records} record(s)`}`);
        outcomes.push({ id, kind, result: 'replayed', records });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`kept ${what}: ${reason}`);
        outcomes.push({ id, kind, result: 'failed', reason });
      }
    }
  }
  return outcomes;
}
