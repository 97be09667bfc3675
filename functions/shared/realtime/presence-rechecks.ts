/**
 * The trailing edge of the presence debounce (realtime/presence.ts). A change the window holds back (a user who
 * came online and left again within 30 s) is looked at again when the window ends, and the state the user is in
 * then is announced: without it, watchers would keep the state announced last until the user's next visit.
 *
 * On AWS: one message on the presence-recheck queue, delayed until the window ends (SQS DelaySeconds, at most
 * 15 minutes; a longer window is simply held and rechecked again), read by functions/streams/presence-recheck.ts.
 * Costs one SQS message per held change, which only flapping connections make. Locally, the local stack installs
 * a timer in its place (useRecheckScheduler).
 */
import { awsJsonService } from '../aws/json-service';
import { config } from '../config';

/** Asks for the user's presence to be looked at again at `atMs` (epoch milliseconds). */
export type RecheckScheduler = (userId: string, atMs: number) => Promise<void>;

/** SQS's longest delivery delay. */
const MAX_DELAY_SECONDS = 900;

export const recheckDelaySeconds = (atMs: number, now = Date.now()): number =>
  Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((atMs - now) / 1000)));

/** What a recheck message carries. */
export const recheckBody = (userId: string): string => JSON.stringify({ userId });

export function recheckUserId(body: string): string {
  const parsed: unknown = JSON.parse(body);
  const userId = (parsed as { userId?: unknown } | null)?.userId;
  if (typeof userId !== 'string' || userId === '') throw new Error('a presence recheck without a userId');
  return userId;
}

let installed: RecheckScheduler | undefined;

/** Replaces the queue (the local stack's timers); undefined goes back to the configured queue. */
export function useRecheckScheduler(scheduler: RecheckScheduler | undefined): void {
  installed = scheduler;
}

/** The scheduler in force: the installed one, else the queue the stack configures, else none. */
export function recheckScheduler(): RecheckScheduler | undefined {
  if (installed) return installed;
  const queueUrl = config.presenceRecheckQueueUrl;
  if (!queueUrl) return undefined;
  // SendMessage over SQS's JSON protocol (aws/json-service.ts): no SQS client in the consumer's bundle.
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
  const sqs = awsJsonService({
    service: 'sqs',
    region,
    endpoint: process.env.AWS_ENDPOINT_URL_SQS ?? new URL(queueUrl).origin,
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    retryable: ['ThrottlingException', 'RequestThrottled', 'InternalError', 'ServiceUnavailable'],
  });
  installed = async (userId, atMs) => {
    await sqs.call('SendMessage', {
      QueueUrl: queueUrl,
      MessageBody: recheckBody(userId),
      DelaySeconds: recheckDelaySeconds(atMs),
    });
  };
  return installed;
}
