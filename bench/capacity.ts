/**
 * Counts what each API call costs in DynamoDB: requests (round trips) and consumed read/write capacity, as
 * DynamoDB Local reports it. A middleware on the shared document client asks every request for its consumed
 * capacity and books it to the operation running in the current async context, so concurrent background work
 * (the stream consumer) is not mixed in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Cost {
  requests: number;
  /** Sequential stages of requests: parallel requests started together count once. */
  roundTrips: number;
  readUnits: number;
  writeUnits: number;
}

interface Ledger extends Cost {
  inFlight: number;
}

const current = new AsyncLocalStorage<Ledger>();

type CapacityEntry = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

export function installCapacityMeter(client: DynamoDBDocumentClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const ledger = current.getStore();
      if (!ledger) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      ledger.requests += 1;
      if (ledger.inFlight === 0) ledger.roundTrips += 1;
      ledger.inFlight += 1;
      try {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: CapacityEntry | CapacityEntry[] };
        const entries = [output.ConsumedCapacity ?? []].flat();
        for (const entry of entries) {
          const read = entry.ReadCapacityUnits ?? 0;
          const write = entry.WriteCapacityUnits ?? 0;
          // Some operations report only a total; book it by operation kind.
          const total = entry.CapacityUnits ?? 0;
          ledger.readUnits += read || (write ? 0 : isRead(args.input) ? total : 0);
          ledger.writeUnits += write || (read ? 0 : isRead(args.input) ? 0 : total);
        }
        return result;
      } finally {
        ledger.inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
}

const isRead = (input: unknown) => {
  const keys = Object.keys(input as object);
  return (
    !keys.some((key) => ['Item', 'TransactItems', 'UpdateExpression', 'RequestItems'].includes(key)) ||
    (keys.includes('RequestItems') && JSON.stringify(input).includes('"Keys"'))
  );
};

/** Runs `operation` and returns its DynamoDB cost and how long it took (wall clock, ms). */
export async function measure<T>(
  operation: () => Promise<T>,
): Promise<{ result: T; cost: Cost; durationMs: number }> {
  const ledger: Ledger = { requests: 0, roundTrips: 0, readUnits: 0, writeUnits: 0, inFlight: 0 };
  const started = performance.now();
  const result = await current.run(ledger, operation);
  const durationMs = performance.now() - started;
  const { inFlight: _inFlight, ...cost } = ledger;
  return { result, cost, durationMs };
}
