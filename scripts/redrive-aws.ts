/**
 * `npm run redrive -- --stage <stage>`: replays a deployed stage's dead-letter queue through the deployed
 * functions, with the deployer's own AWS credentials (the default credential chain). It needs
 * cloudformation:DescribeStacks, sqs:ReceiveMessage/DeleteMessage on the queue, lambda:InvokeFunction on the
 * two functions and dynamodb:GetShardIterator/GetRecords on the table's stream.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import type { DeadLetter } from '../local/dead-letters';
import {
  assertNoBatchFailures,
  type DeadLetterSource,
  type RedriveOutcome,
  type Replayer,
  redrive,
} from './dead-letter-replay';

/** The stack output that names the stage's dead-letter queue. */
export const DEAD_LETTER_QUEUE_OUTPUT = 'DeadLetterQueueUrl';

export async function deadLetterQueueUrl(stackName: string, region: string): Promise<string> {
  const client = new CloudFormationClient({ region });
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const url = Stacks?.[0]?.Outputs?.find(
      (output) => output.OutputKey === DEAD_LETTER_QUEUE_OUTPUT,
    )?.OutputValue;
    if (!url) throw new Error(`Stack ${stackName} in ${region} has no ${DEAD_LETTER_QUEUE_OUTPUT} output`);
    return url;
  } finally {
    client.destroy();
  }
}

/** The queue, read until empty. A message stays invisible for `visibilitySeconds` once read, then is kept. */
export function sqsSource(client: SQSClient, queueUrl: string, visibilitySeconds: number): DeadLetterSource {
  return {
    description: queueUrl,
    async *pages() {
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: visibilitySeconds,
            WaitTimeSeconds: 1,
          }),
        );
        if (Messages.length === 0) return;
        yield Messages.flatMap((message) =>
          message.ReceiptHandle && message.Body
            ? [{ id: message.ReceiptHandle, letter: JSON.parse(message.Body) as DeadLetter }]
            : [],
        );
      }
    },
    async remove(receiptHandle) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    },
  };
}

function lambdaReplayer(region: string): Replayer & { destroy(): void } {
  const lambda = new LambdaClient({ region });
  const streamClients = new Map<string, DynamoDBStreamsClient>();
  const invoke = async (functionArn: string, payload: unknown) => {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: functionArn,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const body = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError) throw new Error(`the function failed again: ${body.slice(0, 500)}`);
    return body ? (JSON.parse(body) as unknown) : undefined;
  };
  return {
    async invokeStream(functionArn, records) {
      assertNoBatchFailures((await invoke(functionArn, { Records: records })) as DynamoDBBatchResponse);
    },
    async invokeAsync(functionArn, payload) {
      await invoke(functionArn, payload);
    },
    streams(streamArn) {
      const streamRegion = streamArn.split(':')[3] ?? region;
      let client = streamClients.get(streamRegion);
      if (!client) {
        client = new DynamoDBStreamsClient({ region: streamRegion });
        streamClients.set(streamRegion, client);
      }
      return client;
    },
    destroy() {
      lambda.destroy();
      for (const client of streamClients.values()) client.destroy();
    },
  };
}

export async function redriveStage(options: {
  stackName: string;
  region: string;
  dryRun?: boolean;
  log?: (line: string) => void;
}): Promise<RedriveOutcome[]> {
  const queueUrl = await deadLetterQueueUrl(options.stackName, options.region);
  const sqs = new SQSClient({ region: options.region });
  const replayer = lambdaReplayer(options.region);
  try {
    // A dry run hides what it lists for 30 s only; a replay long enough for the function's timeout.
    const source = sqsSource(sqs, queueUrl, options.dryRun ? 30 : 300);
    options.log?.(`dead letters of ${options.stackName} (${options.region}): ${queueUrl}`);
    return await redrive({ source, replayer, dryRun: options.dryRun, log: options.log });
  } finally {
    sqs.destroy();
    replayer.destroy();
  }
}
