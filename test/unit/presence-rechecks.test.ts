/**
 * The trailing edge of the presence debounce: how long a recheck waits on the queue, what its message carries,
 * and how the local stand-in for the queue hands messages over (after their delay, again after a failure).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { delayedQueue } from '../../local/delayed-queue';

// The module reads the functions' configuration at load, as every function module does.
let rechecks: typeof import('../../functions/shared/realtime/presence-rechecks');
beforeAll(async () => {
  vi.stubEnv('TABLE_NAME', 'unit');
  rechecks = await import('../../functions/shared/realtime/presence-rechecks');
});

describe('presence rechecks', () => {
  it('waits until the window ends, rounded up to whole seconds, never less than 0 nor more than SQS allows', () => {
    const { recheckDelaySeconds } = rechecks;
    const now = 1_000_000;
    expect(recheckDelaySeconds(now + 29_001, now)).toBe(30);
    expect(recheckDelaySeconds(now + 30_000, now)).toBe(30);
    expect(recheckDelaySeconds(now - 5_000, now)).toBe(0);
    expect(recheckDelaySeconds(now + 3_600_000, now)).toBe(900);
  });

  it('carries the user id, and refuses a message without one', () => {
    const { recheckBody, recheckUserId } = rechecks;
    expect(recheckUserId(recheckBody('01JUSER'))).toBe('01JUSER');
    for (const body of ['{}', '{"userId":""}', '{"userId":7}', 'null']) {
      expect(() => recheckUserId(body), body).toThrow(/userId/);
    }
  });

  it('hands a message to its function after its delay, and again after the function fails', async () => {
    const handled: { body: string; at: number; receiveCount: string }[] = [];
    const queue = delayedQueue({
      queueArn: 'arn:aws:sqs:local:000000000000:test',
      retryDelayMs: 10,
      handler: async (event: SQSEvent) => {
        const [record] = event.Records;
        if (!record) throw new Error('an empty event');
        handled.push({
          body: record.body,
          at: Date.now(),
          receiveCount: record.attributes.ApproximateReceiveCount,
        });
        if (handled.length === 1) throw new Error('the first try fails');
      },
      onError: () => undefined,
    });
    const sentAt = Date.now();
    queue.send('hello', 100);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await queue.stop();
    expect(handled.map(({ body, receiveCount }) => [body, receiveCount])).toEqual([
      ['hello', '1'],
      ['hello', '2'],
    ]);
    expect(handled[0]?.at ?? 0).toBeGreaterThanOrEqual(sentAt + 95);
  });

  it('drops the messages still waiting when it stops', async () => {
    let calls = 0;
    const queue = delayedQueue({
      queueArn: 'arn:aws:sqs:local:000000000000:test',
      handler: async () => {
        calls++;
      },
    });
    queue.send('later', 200);
    await queue.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toBe(0);
  });
});

describe('the presence recheck queue on AWS', () => {
  it('sends one SQS message per held change, delayed until the window ends (endpoint from configuration)', async () => {
    const received: { target: string | undefined; body: Record<string, unknown> }[] = [];
    // Stands in for SQS's JSON protocol, to see what the client sends (no SQS emulator runs here).
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        received.push({ target: request.headers['x-amz-target'] as string | undefined, body });
        const md5 = createHash('md5').update(String(body.MessageBody)).digest('hex');
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end(JSON.stringify({ MessageId: 'm1', MD5OfMessageBody: md5 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      vi.resetModules();
      vi.stubEnv('TABLE_NAME', 'unit');
      vi.stubEnv('AWS_REGION', 'us-east-1');
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
      vi.stubEnv('AWS_ENDPOINT_URL_SQS', `http://127.0.0.1:${port}`);
      // As LocalStack's queues are named: the client sends to the queue URL's host.
      const queueUrl = `http://127.0.0.1:${port}/000000000000/rechecks`;
      vi.stubEnv('PRESENCE_RECHECK_QUEUE_URL', queueUrl);
      const onAws = await import('../../functions/shared/realtime/presence-rechecks');
      const schedule = onAws.recheckScheduler();
      expect(schedule).toBeDefined();
      await schedule?.('01JUSER', Date.now() + 29_500);
      expect(received).toEqual([
        {
          target: 'AmazonSQS.SendMessage',
          body: { QueueUrl: queueUrl, MessageBody: '{"userId":"01JUSER"}', DelaySeconds: 30 },
        },
      ]);
    } finally {
      vi.unstubAllEnvs();
      server.close();
    }
  });
});
