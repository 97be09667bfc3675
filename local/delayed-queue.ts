/**
 * The local stand-in for an SQS queue read by a Lambda function, for messages sent with a delivery delay (the
 * presence rechecks, functions/shared/realtime/presence-rechecks.ts): each message is handed to the function
 * once its delay has passed, in an SQS event of one record. A message whose function throws is handed over again
 * (asyncInvoker's retries, standing in for SQS's visibility timeout), with its receive count raised.
 */
import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { asyncInvoker } from './async-invoke';

export interface DelayedQueue {
  send(body: string, delayMs: number): void;
  /** Drops the messages still waiting (the stack is stopping) and waits for those being handled. */
  stop(): Promise<void>;
}

/** A message as it waits between receives. */
interface Message {
  id: string;
  body: string;
  receiveCount: number;
}

export function delayedQueue(options: {
  queueArn: string;
  handler: (event: SQSEvent) => Promise<unknown>;
  maxReceiveCount?: number;
  retryDelayMs?: number;
  onError?: (error: unknown) => void;
}): DelayedQueue {
  const invoker = asyncInvoker<Message>({
    functionArn: options.queueArn,
    handler: (message) =>
      options.handler({ Records: [sqsRecord(options.queueArn, message, ++message.receiveCount)] }),
    retryAttempts: (options.maxReceiveCount ?? 3) - 1,
    retryDelayMs: options.retryDelayMs ?? 200,
    onError: options.onError,
  });
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  return {
    send(body, delayMs) {
      if (stopped) return;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          invoker.invoke({ id: randomUUID(), body, receiveCount: 0 });
        },
        Math.max(0, delayMs),
      );
      timers.add(timer);
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await invoker.settled();
    },
  };
}

function sqsRecord(queueArn: string, message: Message, receiveCount: number): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: message.id,
    receiptHandle: randomUUID(),
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'local',
  };
}
