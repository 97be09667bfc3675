/**
 * What `npm run bench` measured, as data: written to bench/results/latest.json (committed) so that
 * `npm run costs` (bench/costs.ts) turns the same numbers into docs/costs.md without rerunning the bench.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Cost } from './capacity';

export const RESULTS_FILE = 'bench/results/latest.json';

/** A call's DynamoDB cost and how long the handler ran (the median of a few runs, on this machine). */
export interface Measured extends Cost {
  durationMs: number;
  samples: number;
}

/** The stream consumer's work for one record, in a conversation of `members` members. */
export interface FanOut {
  members: number;
  /** A new message (`message.created` to every member). */
  message: Measured;
  /** A member's read marker moved (`conversation.read`: to every member up to 32, else to the reader). */
  read: Measured;
}

export interface BenchResults {
  measuredAt: string;
  node: string;
  /** The machine: durations on a busy shared machine are longer than on an idle one. */
  cpus: number;
  loadAverage: number;
  /** Every row of "DynamoDB cost per API call", by its label. */
  operations: Record<string, Cost>;
  /** The calls the cost model prices (bench/costs.ts), each timed over several runs. */
  costModel: {
    send: Measured;
    listMessages: Measured;
    markRead: Measured;
    createMedia: Measured;
    /** One `GET /sync?since=` call that returned `events` events. */
    sync: Measured & { events: number };
    fanOut: FanOut[];
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * Runs `operation` `samples` times (each run measures its own call, after any setup it needs) and keeps the
 * median of every figure: one run on a shared machine can be slowed by anything.
 */
export async function sampled(
  samples: number,
  operation: () => Promise<{ cost: Cost; durationMs: number }>,
): Promise<Measured> {
  const runs: { cost: Cost; durationMs: number }[] = [];
  for (let i = 0; i < samples; i++) runs.push(await operation());
  const of = (pick: (run: { cost: Cost; durationMs: number }) => number) => median(runs.map(pick));
  return {
    requests: of((run) => run.cost.requests),
    roundTrips: of((run) => run.cost.roundTrips),
    readUnits: of((run) => run.cost.readUnits),
    writeUnits: of((run) => run.cost.writeUnits),
    durationMs: Math.round(of((run) => run.durationMs) * 10) / 10,
    samples,
  };
}

export function writeResults(results: BenchResults, file = RESULTS_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
