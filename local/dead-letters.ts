/**
 * What lands in the dead-letter queue, and its local stand-in: a directory of JSON files (`DATA_DIR/dead-letters`),
 * one per message, each holding exactly the body Lambda would send to the SQS queue. `npm run redrive` reads
 * either (scripts/redrive.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';

/** Lambda's on-failure record for a stream batch: where the records are, not the records themselves. */
export interface StreamBatchDeadLetter {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    /** e.g. RetryAttemptsExhausted, RecordAgeExceeded. */
    condition: string;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError: string };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
  /**
   * Local only: the records themselves. AWS sends only the sequence range above; the redrive reads the records
   * back from the stream, which keeps them 24 hours.
   */
  records?: DynamoDBRecord[];
}

/** Lambda's on-failure record for an asynchronous invocation (the upload check): the whole event. */
export interface AsyncInvocationDeadLetter {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    /** RetriesExhausted or EventAgeExceeded. */
    condition: string;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

export type DeadLetter = StreamBatchDeadLetter | AsyncInvocationDeadLetter;

export const isStreamBatch = (letter: DeadLetter): letter is StreamBatchDeadLetter =>
  'DDBStreamBatchInfo' in letter;

/** The local functions' names, as the redrive and the dead letters call them. */
export const LOCAL_FUNCTION_ARNS = {
  tableStream: 'arn:aws:lambda:local:000000000000:function:table-stream',
  mediaUploaded: 'arn:aws:lambda:local:000000000000:function:media-uploaded',
} as const;

export interface StoredDeadLetter {
  id: string;
  letter: DeadLetter;
}

export interface DeadLetterStore {
  put(letter: DeadLetter): Promise<string>;
  list(): Promise<StoredDeadLetter[]>;
  remove(id: string): Promise<void>;
}

export const deadLetterDirectory = (dataDir: string) => join(dataDir, 'dead-letters');

/** Files named by time, so they list oldest first; written to a temporary name first, then renamed. */
export function localDeadLetterStore(directory: string): DeadLetterStore {
  return {
    async put(letter) {
      await mkdir(directory, { recursive: true });
      const id = `${letter.timestamp.replaceAll(':', '-')}-${randomUUID().slice(0, 8)}`;
      const path = join(directory, `${id}.json`);
      await writeFile(`${path}.tmp`, `${JSON.stringify(letter, null, 2)}\n`);
      await rename(`${path}.tmp`, path);
      return id;
    },
    async list() {
      const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      const ids = names
        .filter((name) => name.endsWith('.json'))
        .map((name) => name.slice(0, -'.json'.length))
        .sort();
      return Promise.all(
        ids.map(async (id) => ({
          id,
          letter: JSON.parse(await readFile(join(directory, `${id}.json`), 'utf8')) as DeadLetter,
        })),
      );
    },
    async remove(id) {
      await rm(join(directory, `${id}.json`), { force: true });
    },
  };
}

/** Lambda's error summary for a failure: the type and message, never a stack or a payload. */
export function functionError(error: unknown): { errorType: string; errorMessage: string } {
  return error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };
}
