/**
 * Delivery under load: many users in small groups send at a steady rate for a while; every member's socket
 * must receive every message once, and delivery must keep up (its latency must not grow without bound).
 *
 *   npm run bench:load                 a local stack in this process (limits raised, as in `npm run bench`)
 *   LOAD_API_URL=http://localhost:3000 LOAD_WS_URL=ws://localhost:3001 npm run bench:load
 *                                      against `RATE_LIMITS=off npm start` (its URLs are printed at start)
 *
 * Settings (environment): LOAD_USERS (20), LOAD_GROUP_SIZE (4), LOAD_RATE (messages per second over all
 * senders, 35), LOAD_SECONDS (60). The target (issue 15): nothing lost or duplicated, and delivery p99 <= 2 s
 * at the highest send rate the local HTTP path sustains. Numbers from a laptop compare designs; they are no SLA.
 */
import { performance } from 'node:perf_hooks';
import type { RealtimeEvent } from '../functions/shared/schemas/realtime';
import { connect, type TestSocket } from '../test/support/ws';
import { startBenchStack } from './local-stack';
import { type Endpoints, newUser, request } from './realtime-latency';

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Member {
  id: string;
  token: string;
  socket: TestSocket;
  conversationId: string;
}

/** Users in groups of `groupSize` (the first of each starts a direct chat with the others: only contacts join). */
async function setUp(api: Endpoints, users: number, groupSize: number): Promise<Member[][]> {
  const groups: Member[][] = [];
  for (let first = 0; first < users; first += groupSize) {
    const people = await Promise.all(
      Array.from({ length: Math.min(groupSize, users - first) }, () => newUser(api)),
    );
    const [owner, ...others] = people;
    if (!owner) continue;
    for (const other of others) {
      await request(api, 'POST', '/conversations', owner.token, { type: 'direct', userId: other.id });
    }
    const group = await request(api, 'POST', '/conversations', owner.token, {
      type: 'group',
      name: `load ${groups.length + 1}`,
      memberIds: others.map((other) => other.id),
    });
    const sockets = await Promise.all(people.map((person) => connect(api.wsUrl, person.token)));
    groups.push(
      people.map((person, index) => ({
        ...person,
        socket: sockets[index] as TestSocket,
        conversationId: group.id as string,
      })),
    );
  }
  return groups;
}

export async function runLoad(api: Endpoints) {
  const users = setting('LOAD_USERS', 20);
  const groupSize = setting('LOAD_GROUP_SIZE', 4);
  const rate = setting('LOAD_RATE', 35);
  const seconds = setting('LOAD_SECONDS', 60);
  const groups = await setUp(api, users, groupSize);
  const members = groups.flat();

  /** Per message: when its send started, and when each receiver got it (several times = duplicated). */
  const sentAt = new Map<string, { at: number; sender: string; receivers: number }>();
  const received = new Map<string, number[]>();
  const duplicates = { count: 0 };
  const seen = new Set<string>();
  for (const member of members) {
    member.socket.socket.on('message', (data) => {
      // The helper keeps every event for tests; this run reads frames itself, so keep memory flat.
      member.socket.events.length = 0;
      const event = JSON.parse(String(data)) as RealtimeEvent;
      if (event.type !== 'message.created' || event.message.senderId === member.id) return;
      const id = event.message.clientMessageId;
      if (!id) return;
      const key = `${id}|${member.id}`;
      if (seen.has(key)) {
        duplicates.count += 1;
        return;
      }
      seen.add(key);
      const times = received.get(id) ?? [];
      times.push(performance.now());
      received.set(id, times);
    });
  }

  const httpTimes: number[] = [];
  let httpErrors = 0;
  const sends: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let n = 0; n < total; n++) {
    // A steady schedule: message n starts at n / rate seconds, whatever the earlier ones are doing.
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sender = members[n % members.length] as Member;
    const clientMessageId = `load-${n}-${Date.now()}`;
    const at = performance.now();
    sentAt.set(clientMessageId, { at, sender: sender.id, receivers: groupSizeOf(groups, sender) - 1 });
    sends.push(
      request(api, 'POST', `/conversations/${sender.conversationId}/messages`, sender.token, {
        content: { type: 'text', text: `load ${n}` },
        clientMessageId,
      }).then(
        () => void httpTimes.push(performance.now() - at),
        () => {
          httpErrors += 1;
          sentAt.delete(clientMessageId);
        },
      ),
    );
  }
  await Promise.all(sends);
  const sendingMs = performance.now() - started;
  const expected = [...sentAt.values()].reduce((sum, message) => sum + message.receivers, 0);
  const deliveredCount = () => [...received.values()].reduce((sum, times) => sum + times.length, 0);
  const deadline = performance.now() + 60_000;
  while (deliveredCount() < expected && performance.now() < deadline) await sleep(100);

  const latencies: { sentAt: number; ms: number }[] = [];
  for (const [id, times] of received) {
    const sent = sentAt.get(id);
    if (sent) for (const time of times) latencies.push({ sentAt: sent.at, ms: time - sent.at });
  }
  const window = (from: number, to: number) =>
    latencies.filter((one) => one.sentAt - started >= from && one.sentAt - started < to).map((one) => one.ms);
  const lastTen = window(sendingMs - 10_000, Number.POSITIVE_INFINITY);
  const firstTen = window(0, 10_000);
  await Promise.all(members.map((member) => member.socket.close()));
  return {
    users: members.length,
    groups: groups.length,
    targetRate: rate,
    achievedRate: (sentAt.size * 1000) / sendingMs,
    sent: sentAt.size,
    httpErrors,
    httpP50: percentile(httpTimes, 50),
    httpP99: percentile(httpTimes, 99),
    expected,
    delivered: deliveredCount(),
    lost: expected - deliveredCount(),
    duplicated: duplicates.count,
    p50: percentile(
      latencies.map((one) => one.ms),
      50,
    ),
    p99: percentile(
      latencies.map((one) => one.ms),
      99,
    ),
    max: Math.max(0, ...latencies.map((one) => one.ms)),
    p99FirstTenSeconds: percentile(firstTen, 99),
    p99LastTenSeconds: percentile(lastTen, 99),
  };
}

function groupSizeOf(groups: Member[][], member: Member): number {
  return groups.find((group) => group.includes(member))?.length ?? 0;
}

async function main() {
  const external = process.env.LOAD_API_URL && process.env.LOAD_WS_URL;
  const stack = external ? undefined : await startBenchStack('bench-load');
  const api: Endpoints = external
    ? { url: process.env.LOAD_API_URL as string, wsUrl: process.env.LOAD_WS_URL as string }
    : (stack as Endpoints);
  try {
    const result = await runLoad(api);
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    console.log(
      [
        `Delivery under load: ${result.users} users in ${result.groups} groups, ${result.sent} messages`,
        `  send rate      target ${result.targetRate}/s, achieved ${result.achievedRate.toFixed(1)}/s (HTTP p50 ${ms(result.httpP50)}, p99 ${ms(result.httpP99)}, ${result.httpErrors} failed)`,
        `  deliveries     ${result.delivered} of ${result.expected}: ${result.lost} lost, ${result.duplicated} duplicated`,
        `  latency        p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, max ${ms(result.max)}`,
        `  keeping up     p99 of the first 10 s ${ms(result.p99FirstTenSeconds)}, of the last 10 s ${ms(result.p99LastTenSeconds)}`,
        `  target         nothing lost or duplicated, p99 <= 2000 ms: ${result.lost === 0 && result.duplicated === 0 && result.p99 <= 2000 ? 'met' : 'NOT met'}`,
      ].join('\n'),
    );
  } finally {
    await stack?.stopAll();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
