/**
 * The local stand-in for an SQS queue read by a Lambda function, for messages sent with a delivery delay (the
 * presence rechecks, functions/shared/realtime/presence-rechecks.ts): each message is handed to the function
 * once its delay has passed, in an SQS event of one record. A message whose function throws is handed over again
 * after a short pause, a few times, as SQS would after its visibility timeout.
 */
import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export interface DelayedQueue {
  send(body: string, delayMs: number): void;
  /** Drops the messages still waiting (the stack is stopping) and waits for those being handled. */
  stop(): Promise<void>;
}

export function delayedQueue(options: {
  queueArn: string;
  handler: (event: SQSEvent) => Promise<unknown>;
  maxReceiveCount?: number;
  retryDelayMs?: number;
  onError?: (error: unknown) => void;
}): DelayedQueue {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  let stopped = false;

  const deliver = (body: string, delayMs: number, receiveCount: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const record = sqsRecord(options.queueArn, body, receiveCount);
      const handled = options
        .handler({ Records: [record] })
        .then(() => true)
        .catch((error: unknown) => {
          options.onError?.(error);
          return false;
        })
        .then((ok) => {
          if (ok) return;
          if (receiveCount < maxReceiveCount) deliver(body, options.retryDelayMs ?? 200, receiveCount + 1);
          else options.onError?.(new Error(`a message of ${options.queueArn} failed ${receiveCount} times`));
        });
      running.add(handled);
      void handled.finally(() => running.delete(handled));
    }, delayMs);
    timers.add(timer);
  };

  return {
    send: (body, delayMs) => deliver(body, Math.max(0, delayMs), 1),
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

function sqsRecord(queueArn: string, body: string, receiveCount: number): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
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
