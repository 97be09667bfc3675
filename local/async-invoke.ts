/**
 * The local stand-in for Lambda's asynchronous invocation (how S3 event notifications invoke the upload
 * check): a failed invocation is retried with the stack's settings (functions/shared/async-delivery.ts), and
 * an event that still fails goes to the dead-letter store with the record Lambda sends to the on-failure
 * destination (the whole event in `requestPayload`).
 */
import { randomUUID } from 'node:crypto';
import { type DeadLetterStore, functionError } from './dead-letters';

export interface AsyncInvoker<E> {
  invoke(event: E): void;
  /** Resolves once every invocation started so far has finished or been dead-lettered. */
  settled(): Promise<void>;
}

export function asyncInvoker<E>(options: {
  functionArn: string;
  handler: (event: E) => Promise<unknown>;
  retryAttempts: number;
  deadLetters?: DeadLetterStore;
  onError?: (error: unknown) => void;
  /** Lambda waits a minute, then two; locally a short pause keeps tests fast. */
  retryDelayMs?: number;
}): AsyncInvoker<E> {
  const inFlight = new Set<Promise<void>>();
  const retryDelayMs = options.retryDelayMs ?? 50;

  async function run(event: E) {
    let lastError: unknown;
    for (let attempt = 0; attempt <= options.retryAttempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 1)));
      try {
        await options.handler(event);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    if (!options.deadLetters) {
      options.onError?.(lastError);
      return;
    }
    const id = await options.deadLetters.put({
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `${options.functionArn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: options.retryAttempts + 1,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: functionError(lastError),
    });
    options.onError?.(
      new Error(`an invocation was dead-lettered after its retries: dead-letters/${id}.json`),
    );
  }

  return {
    invoke(event) {
      const running = run(event).catch((error: unknown) => options.onError?.(error));
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
