/**
 * Real-time delivery latency: from the moment a client starts `POST /conversations/{id}/messages` to the
 * moment another member's socket receives the `message.created` event, over a local stack in this process
 * (HTTP gateway, DynamoDB Local and its stream, the table-stream function, the WebSocket gateway).
 *
 *   npx tsx bench/realtime-latency.ts            (BENCH_REALTIME_MESSAGES=200, BENCH_REALTIME_GROUP=10)
 *
 * Locally the stream is polled every 50 ms, which dominates; on AWS the DynamoDB Streams -> Lambda hop is of
 * the same order. Numbers from a laptop are for comparing designs and catching regressions, not SLAs.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { MessageEvent } from '../functions/shared/schemas/realtime';
import { connect, type TestSocket } from '../test/support/ws';
import { startBenchStack } from './local-stack';

export interface LatencyStats {
  label: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface Endpoints {
  url: string;
  wsUrl: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

function stats(label: string, values: number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    label,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}

export async function request(api: Endpoints, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

let userCount = 0;
export async function newUser(api: Endpoints): Promise<{ id: string; token: string }> {
  userCount += 1;
  const username = `bench_${Date.now().toString(36)}_${userCount}`;
  const password = 'a long enough password';
  const { id } = await request(api, 'POST', '/users', undefined, { username, password });
  const { token } = await request(api, 'POST', '/login', undefined, { username, password });
  return { id, token };
}

const deliveredWith = (clientMessageId: string) => (event: { type: string }) =>
  event.type === 'message.created' && (event as MessageEvent).message.clientMessageId === clientMessageId;

/**
 * Sends `messages` messages one after another (each waits for its deliveries: latency without queueing)
 * and times, for each, the receipt at every receiving socket; reports the slowest receipt per message.
 */
async function timeDeliveries(
  api: Endpoints,
  label: string,
  sender: { token: string },
  conversationId: string,
  receivers: TestSocket[],
  messages: number,
): Promise<LatencyStats> {
  const latencies: number[] = [];
  for (let i = 0; i < messages; i++) {
    const clientMessageId = `bench-${label.length}-${i}-${Date.now()}`;
    const started = performance.now();
    const sending = request(api, 'POST', `/conversations/${conversationId}/messages`, sender.token, {
      content: { type: 'text', text: `message ${i}` },
      clientMessageId,
    });
    await Promise.all([
      sending,
      ...receivers.map((socket) => socket.waitFor(deliveredWith(clientMessageId), 10_000)),
    ]);
    latencies.push(performance.now() - started);
    // Keep memory flat over long runs: the events of this message are not needed any more.
    for (const socket of receivers) socket.events.length = 0;
  }
  return stats(label, latencies);
}

/** Runs the scenarios against a running local API (see main() for a self-contained run). */
export async function measureRealtimeLatency(
  api: Endpoints,
  options: { messages?: number; groupSize?: number } = {},
): Promise<LatencyStats[]> {
  const messages = options.messages ?? 200;
  const groupSize = options.groupSize ?? 10;
  const sockets: TestSocket[] = [];
  try {
    const [alice, bob] = [await newUser(api), await newUser(api)];
    const direct = await request(api, 'POST', '/conversations', alice.token, {
      type: 'direct',
      userId: bob.id,
    });
    const bobSocket = await connect(api.wsUrl, bob.token);
    sockets.push(bobSocket);
    const results = [
      await timeDeliveries(api, 'direct, 1 receiving socket', alice, direct.id, [bobSocket], messages),
    ];

    const members = await Promise.all(Array.from({ length: groupSize - 1 }, () => newUser(api)));
    // Only contacts (a shared direct conversation) can be put in a group.
    for (const member of members) {
      await request(api, 'POST', '/conversations', alice.token, { type: 'direct', userId: member.id });
    }
    const group = await request(api, 'POST', '/conversations', alice.token, {
      type: 'group',
      name: 'bench',
      memberIds: members.map((member) => member.id),
    });
    // Two devices per member: every message fans out to 2 × (groupSize - 1) sockets.
    const receivers = await Promise.all(
      members.flatMap((member) => [
        connect(api.wsUrl, member.token),
        connect(api.wsUrl, member.token, 'subprotocol'),
      ]),
    );
    sockets.push(...receivers);
    results.push(
      await timeDeliveries(
        api,
        `group of ${groupSize}, last of ${receivers.length} sockets`,
        alice,
        group.id,
        receivers,
        Math.max(1, Math.floor(messages / 4)),
      ),
    );
    return results;
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
}

export function formatLatency(results: LatencyStats[]): string {
  const width = Math.max(...results.map((result) => result.label.length));
  return [
    'Real-time delivery latency (send started -> message.created received)',
    ...results.map(
      (result) =>
        `  ${result.label.padEnd(width)}  n=${String(result.samples).padStart(4)}  p50 ${result.p50.toFixed(1).padStart(6)} ms  p99 ${result.p99.toFixed(1).padStart(6)} ms  max ${result.max.toFixed(1).padStart(6)} ms`,
    ),
  ].join('\n');
}

async function main() {
  const api = await startBenchStack('bench-realtime');
  try {
    const results = await measureRealtimeLatency(api, {
      messages: Number(process.env.BENCH_REALTIME_MESSAGES ?? 200),
      groupSize: Number(process.env.BENCH_REALTIME_GROUP ?? 10),
    });
    console.log(formatLatency(results));
  } finally {
    await api.stopAll();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
