/**
 * `npm run redrive -- --local`: replays the local dead-letter store (DATA_DIR/dead-letters) through the
 * handlers of the running local stack (`npm start` with the same DATA_DIR), as the AWS redrive does with a
 * stage's queue and functions.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent, S3Event } from 'aws-lambda';
import {
  assertNoBatchFailures,
  type DeadLetterSource,
  type RedriveOutcome,
  type Replayer,
  redrive,
} from '../scripts/dead-letter-replay';
import { deadLetterDirectory, LOCAL_FUNCTION_ARNS, localDeadLetterStore } from './dead-letters';
import { LOCAL_CREDENTIALS, readRuntimeFile } from './stack';

export class NoLocalStackError extends Error {
  constructor(dataDir: string) {
    super(
      `No local stack is running with DATA_DIR=${dataDir}. Start it (npm start, with the fixed code and the same DATA_DIR), then run the redrive again.`,
    );
    this.name = 'NoLocalStackError';
  }
}

export async function redriveLocal(options: {
  dataDir: string;
  dryRun?: boolean;
  log?: (line: string) => void;
}): Promise<RedriveOutcome[]> {
  const store = localDeadLetterStore(deadLetterDirectory(options.dataDir));
  const source: DeadLetterSource = {
    description: deadLetterDirectory(options.dataDir),
    async *pages() {
      yield await store.list();
    },
    remove: (id) => store.remove(id),
  };
  if (options.dryRun) return redrive({ source, replayer: unavailable, dryRun: true, log: options.log });

  const runtime = await readRuntimeFile(options.dataDir);
  if (!runtime) throw new NoLocalStackError(options.dataDir);
  // The functions read their configuration when first imported: set it before. Metrics stay off, as in
  // the local stack.
  Object.assign(process.env, runtime.environment);
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { handler: tableStream } = await import('../functions/streams/table-stream');
  const { handler: mediaUploaded } = await import('../functions/s3/media-uploaded');
  const streams = new DynamoDBStreamsClient({
    endpoint: runtime.environment.DYNAMODB_ENDPOINT,
    region: runtime.environment.AWS_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const replayer: Replayer = {
    async invokeStream(functionArn, records) {
      if (functionArn !== LOCAL_FUNCTION_ARNS.tableStream) throw new Error(`unknown function ${functionArn}`);
      assertNoBatchFailures(await tableStream({ Records: records } satisfies DynamoDBStreamEvent));
    },
    async invokeAsync(functionArn, payload) {
      if (!functionArn.startsWith(LOCAL_FUNCTION_ARNS.mediaUploaded))
        throw new Error(`unknown function ${functionArn}`);
      await mediaUploaded(payload as S3Event);
    },
    streams: () => streams,
  };
  try {
    return await redrive({ source, replayer, log: options.log });
  } finally {
    streams.destroy();
  }
}

const unavailable: Replayer = {
  invokeStream: () => Promise.reject(new Error('dry run')),
  invokeAsync: () => Promise.reject(new Error('dry run')),
  streams: () => {
    throw new Error('dry run');
  },
};
