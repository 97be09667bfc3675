/** bench/costs.ts: its arithmetic on a hand-computed input, and docs/costs.md as it generates it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ASSUMPTIONS,
  type Assumptions,
  alwaysOnOptions,
  BEGIN,
  comparable,
  configuredMemory,
  END,
  type FunctionMemory,
  PRICES,
  type Prices,
  price,
  readResults,
  renderCosts,
  usageOf,
} from '../../bench/costs';
import type { BenchResults, Measured } from '../../bench/results';

const call = (figures: Partial<Measured>): Measured => ({
  requests: 1,
  roundTrips: 1,
  readUnits: 0,
  writeUnits: 0,
  durationMs: 0,
  samples: 1,
  ...figures,
});

const model: BenchResults['costModel'] = {
  send: call({ writeUnits: 8, durationMs: 10 }),
  markRead: call({ writeUnits: 2, durationMs: 5 }),
  listMessages: call({ readUnits: 2.5, durationMs: 5 }),
  sync: { ...call({ readUnits: 10, durationMs: 20 }), events: 100 },
  createMedia: call({ writeUnits: 2, durationMs: 10 }),
  fanOut: [
    {
      members: 2,
      message: call({ readUnits: 1, writeUnits: 4, durationMs: 20 }),
      read: call({ readUnits: 0.5, writeUnits: 2, durationMs: 10 }),
    },
  ],
};

// 1 GB everywhere: GB-s are seconds.
const memory: FunctionMemory = {
  send: 1024,
  listMessages: 1024,
  markRead: 1024,
  sync: 1024,
  createMedia: 1024,
  tableStream: 1024,
  uploadCheck: 1024,
  connect: 1024,
  disconnect: 1024,
  ping: 1024,
};

// Everyone reads every message, half are online with one connection, no files, no connection time.
const assumptions: Assumptions = {
  ...ASSUMPTIONS,
  ONLINE_SHARE: 0.5,
  CONNECTIONS_PER_ONLINE_MEMBER: 1,
  MARK_READ_PER_RECIPIENT: 1,
  HISTORY_PAGES_PER_RECIPIENT: 0,
  SYNC_EVENTS_PER_CALL: 2,
  MEDIA_SHARE: 0,
  EVENT_KB: 1,
  CONNECTED_MINUTES_PER_MESSAGE_SENT: 0,
  LAMBDA_DURATION_FACTOR: 1,
  STREAM_RECORDS_PER_INVOCATION: 1,
};

// A dollar per unit of everything.
const dollarEach = Object.fromEntries(
  Object.entries(PRICES).map(([key, one]) => [key, { ...one, usd: 1, per: 1 }]),
) as Prices;

describe('the cost model (bench/costs.ts)', () => {
  it('adds up what one direct message causes, by hand', () => {
    const usage = usageOf(
      model.fanOut[0] as BenchResults['costModel']['fanOut'][0],
      model,
      memory,
      assumptions,
    );

    // The message to both members, and the recipient's read receipt to both: 4 feed events; half posted
    // (2 socket messages), half synced (2 events: one /sync call at 2 events a call).
    expect(usage.feedEvents).toBe(4);
    expect(usage.webSocketMessages).toBe(2);
    // send + mark-read + one /sync.
    expect(usage.httpRequests).toBe(3);
    // send, the stream for the message, mark-read, the stream for the marker, /sync.
    expect(usage.lambdaRequests).toBe(5);
    // 10 + 20 + 5 + 10 + 20 ms at 1 GB.
    expect(usage.lambdaGbSeconds).toBeCloseTo(0.065, 10);
    expect(usage.writeUnits).toBe(8 + 4 + 2 + 2);
    // The message's fan-out 1, the marker's 0.5, 2 synced events at 10 RCU per 100.
    expect(usage.readUnits).toBeCloseTo(1.7, 10);
    expect(usage.streamReads).toBe(0);
    expect(usage.dataOutGb).toBeCloseTo(4 / 1024 / 1024, 15);
    expect(usage.cloudFrontGb).toBe(0);

    const priced = price(usage, dollarEach);
    expect(priced.lines['DynamoDB writes (WRU)']).toBe(16);
    expect(priced.lines['Lambda duration (arm64 GB-s)']).toBeCloseTo(0.065, 10);
    expect(priced.total).toBeCloseTo(3 + 2 + 5 + 0.065 + 16 + 1.7 + 4 / 1024 / 1024, 10);
    // What an always-on server pays too (data out) is left out of the comparison.
    expect(comparable(priced)).toBeCloseTo(3 + 2 + 5 + 0.065 + 16 + 1.7, 10);
  });

  it('bills each invocation by the started millisecond', () => {
    const fast = { ...model, send: call({ writeUnits: 8, durationMs: 0.3 }) };
    const quiet: Assumptions = { ...assumptions, MARK_READ_PER_RECIPIENT: 0, ONLINE_SHARE: 1 };
    const fanOut = { members: 2, message: call({ durationMs: 1.2 }), read: call({}) };

    // 1 ms for the send, 2 ms for the stream consumer.
    expect(usageOf(fanOut, fast, memory, quiet).lambdaGbSeconds).toBeCloseTo(0.003, 10);
  });

  it('sends read receipts to every member only up to 32 members', () => {
    const fanOut = (members: number) => ({ members, message: call({}), read: call({}) });

    expect(usageOf(fanOut(32), model, memory, assumptions).feedEvents).toBe(32 + 31 * 32);
    expect(usageOf(fanOut(40), model, memory, assumptions).feedEvents).toBe(40 + 39);
  });

  it('prices the always-on options from their parts', () => {
    const [fargate, ec2] = alwaysOnOptions(PRICES);
    const rds = 0.016 * 730 + 0.115 * 20;

    expect(fargate?.monthly).toBeCloseTo(
      (0.5 * 0.03238 + 0.00356 + 0.0225 + 0.008 + 3 * 0.005) * 730 + rds,
      6,
    );
    expect(ec2?.monthly).toBeCloseTo((0.0168 + 0.005) * 730 + 8 * 0.08 + rds, 6);
  });
});

describe('docs/costs.md', () => {
  it('holds what `npm run costs` generates from bench/results/latest.json', async () => {
    const doc = readFileSync('docs/costs.md', 'utf8');
    const committed = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length);

    expect(committed).toBe(renderCosts({ results: readResults(), memory: await configuredMemory() }));
  });
});
