/**
 * `npm run bench`: what each API call costs and how fast it is, on this machine, against DynamoDB Local.
 *  1. DynamoDB cost per operation (requests, sequential round trips, RCU/WCU) — calls the real handlers with
 *     real API Gateway events, so the numbers are exactly what the code asks of DynamoDB.
 *  2. HTTP latency (p50/p99) through the local gateway.
 *  3. Inbox fan-out cost per message by group size (the stream consumer's work, off the request path).
 *  4. Real-time delivery latency (p50/p99) from send to receipt over WebSockets.
 *  5. Function bundles: size and import time (a cold-start proxy) beside the floor (the bare DynamoDB client),
 *     with the budgets of bench/bundles.ts. `npm run bench -- bundles` runs only this part.
 * Parts 1, 3 and 4 also go to bench/results/latest.json, from which `npm run costs` writes docs/costs.md.
 * Numbers from DynamoDB Local and a laptop are for comparing designs and catching regressions, not SLAs.
 */
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { ensureWebBuild, INITIAL_JS_BUDGET_BYTES, initialJavaScript } from '../local/web-app';
import { httpEvent, lambdaContext } from '../test/support/events';
import { bundleReport } from './bundles';
import { type Cost, installCapacityMeter, measure } from './capacity';
import { startBenchStack } from './local-stack';
import { measureRealtimeLatency } from './realtime-latency';
import { type FanOut, sampled, writeResults } from './results';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
/** Runs per call the cost model prices (their median goes to bench/results/latest.json). */
const COST_SAMPLES = 9;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const fmt = (value: number, digits = 1) => value.toFixed(digits);

async function main() {
  const api = await startBenchStack('bench');
  const { dynamo: documentClient } = await import('../functions/shared/data/client');
  installCapacityMeter(documentClient);

  const load = async (name: string) =>
    ((await import(`../functions/http/${name}.ts`)) as { handler: Handler }).handler;
  const call = async (name: string, event: Parameters<typeof httpEvent>[0]) => {
    const result = (await (
      await load(name)
    )(httpEvent(event), lambdaContext)) as { statusCode: number; body?: string };
    if (result.statusCode >= 400) throw new Error(`${name} -> ${result.statusCode} ${result.body}`);
    return result.body ? JSON.parse(result.body) : undefined;
  };
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  // Arrange: users, a direct conversation, a group of 10, some history.
  const users: { id: string; token: string; username: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const username = `bench_${i}_${Date.now().toString(36)}`;
    const created = await call('sign-up', {
      routeKey: 'POST /users',
      body: { username, password: 'bench password' },
    });
    const login = await call('login', {
      routeKey: 'POST /login',
      body: { username, password: 'bench password' },
    });
    users.push({ id: created.id, token: login.token, username });
  }
  const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]];
  const direct = await call('create-conversation', {
    routeKey: 'POST /conversations',
    headers: auth(alice.token),
    body: { type: 'direct', userId: bob.id },
  });
  // Only contacts (a shared direct conversation) can be put in a group.
  for (const other of users.slice(2)) {
    await call('create-conversation', {
      routeKey: 'POST /conversations',
      headers: auth(alice.token),
      body: { type: 'direct', userId: other.id },
    });
  }
  const group = await call('create-conversation', {
    routeKey: 'POST /conversations',
    headers: auth(alice.token),
    body: { type: 'group', name: 'bench', memberIds: users.slice(1).map((user) => user.id) },
  });
  for (let i = 0; i < 120; i++) {
    await call('send-message', {
      routeKey: 'POST /conversations/{id}/messages',
      headers: auth(i % 2 ? alice.token : bob.token),
      pathParameters: { id: direct.id },
      body: { content: { type: 'text', text: `history ${i}` } },
    });
  }
  // A thread of 60 replies in the group, with 10 plain messages after it.
  const sendTo = (conversationId: string, token: string, body: Record<string, unknown>) =>
    call('send-message', {
      routeKey: 'POST /conversations/{id}/messages',
      headers: auth(token),
      pathParameters: { id: conversationId },
      body,
    });
  const threadRoot = await sendTo(group.id, alice.token, { content: { type: 'text', text: 'thread root' } });
  for (let i = 0; i < 60; i++) {
    await sendTo(group.id, (users[i % users.length] as (typeof users)[0]).token, {
      content: { type: 'text', text: `reply ${i}` },
      parentMessageId: threadRoot.id,
    });
  }
  for (let i = 0; i < 10; i++) {
    await sendTo(group.id, bob.token, { content: { type: 'text', text: `after the thread ${i}` } });
  }
  await api.drainStreams();

  // 1. DynamoDB cost per operation.
  const operations: [string, () => Promise<unknown>][] = [
    [
      'POST /login',
      () =>
        call('login', {
          routeKey: 'POST /login',
          body: { username: users[2]?.username, password: 'bench password' },
        }),
    ],
    [
      'POST /login (unknown user)',
      () =>
        call('login', { routeKey: 'POST /login', body: { username: 'nobody-here', password: 'x' } }).catch(
          () => undefined,
        ),
    ],
    [
      'POST /token/refresh',
      async () => {
        const pair = await call('login', {
          routeKey: 'POST /login',
          body: { username: users[3]?.username, password: 'bench password' },
        });
        return measure(() =>
          call('refresh-token', {
            routeKey: 'POST /token/refresh',
            body: { refreshToken: pair.refreshToken },
          }),
        );
      },
    ],
    ['GET /sessions', () => call('list-sessions', { routeKey: 'GET /sessions', headers: auth(alice.token) })],
    ['GET /users/me', () => call('get-me', { routeKey: 'GET /users/me', headers: auth(alice.token) })],
    [
      'POST …/messages (text)',
      () =>
        call('send-message', {
          routeKey: 'POST /conversations/{id}/messages',
          headers: auth(alice.token),
          pathParameters: { id: group.id },
          body: { content: { type: 'text', text: 'hello group' } },
        }),
    ],
    [
      'POST …/messages (text mentioning 3 members, group of 10)',
      () =>
        sendTo(group.id, alice.token, {
          content: {
            type: 'text',
            text: users
              .slice(1, 4)
              .map((user) => `@${user.username}`)
              .join(' '),
          },
        }),
    ],
    [
      'POST …/messages (text naming 20: 9 members, 11 unknown; group of 10)',
      () =>
        sendTo(group.id, alice.token, {
          content: {
            type: 'text',
            text: [
              ...users.slice(1).map((user) => `@${user.username}`),
              ...Array.from({ length: 11 }, (_, i) => `@nobody_${i}`),
            ].join(' '),
          },
        }),
    ],
    [
      'POST …/messages (retry, same clientMessageId)',
      async () => {
        const body = { content: { type: 'text', text: 'once' }, clientMessageId: 'bench-retry' };
        const event = {
          routeKey: 'POST /conversations/{id}/messages',
          headers: auth(alice.token),
          pathParameters: { id: direct.id },
          body,
        };
        await call('send-message', event);
        return measure(() => call('send-message', event));
      },
    ],
    [
      'GET …/messages (page of 50)',
      () =>
        call('list-messages', {
          routeKey: 'GET /conversations/{id}/messages',
          headers: auth(bob.token),
          pathParameters: { id: direct.id },
        }),
    ],
    [
      'POST …/messages (reply, group of 10)',
      async () => {
        const root = await sendTo(group.id, alice.token, { content: { type: 'text', text: 'a root' } });
        return measure(() =>
          sendTo(group.id, bob.token, {
            content: { type: 'text', text: 'a reply' },
            parentMessageId: root.id,
          }),
        );
      },
    ],
    [
      'POST …/messages (reply to a reply, direct)',
      async () => {
        const root = await sendTo(direct.id, alice.token, { content: { type: 'text', text: 'a root' } });
        const first = await sendTo(direct.id, bob.token, {
          content: { type: 'text', text: 'a reply' },
          parentMessageId: root.id,
        });
        return measure(() =>
          sendTo(direct.id, alice.token, {
            content: { type: 'text', text: 'a reply to it' },
            parentMessageId: first.id,
          }),
        );
      },
    ],
    [
      'GET …/messages/{id}/replies (page of 50)',
      () =>
        call('list-replies', {
          routeKey: 'GET /conversations/{id}/messages/{messageId}/replies',
          headers: auth(bob.token),
          pathParameters: { id: group.id, messageId: threadRoot.id },
        }),
    ],
    [
      'GET …/messages (page of 50 without replies, 60 replies among them)',
      () =>
        call('list-messages', {
          routeKey: 'GET /conversations/{id}/messages',
          headers: auth(bob.token),
          pathParameters: { id: group.id },
        }),
    ],
    [
      'GET …/messages (page of 50, includeReplies=true)',
      () =>
        call('list-messages', {
          routeKey: 'GET /conversations/{id}/messages',
          headers: auth(bob.token),
          pathParameters: { id: group.id },
          queryStringParameters: { includeReplies: 'true' },
        }),
    ],
    [
      'GET /conversations (inbox)',
      () => call('list-conversations', { routeKey: 'GET /conversations', headers: auth(bob.token) }),
    ],
    [
      'GET /conversations/{id} (10 members)',
      () =>
        call('get-conversation', {
          routeKey: 'GET /conversations/{id}',
          headers: auth(bob.token),
          pathParameters: { id: group.id },
        }),
    ],
    [
      'POST /media (an attachment)',
      () =>
        call('create-media', {
          routeKey: 'POST /media',
          headers: auth(alice.token),
          body: { purpose: 'attachment', contentType: 'image/jpeg', size: 500_000 },
        }),
    ],
    [
      'POST …/read',
      async () => {
        const page = await call('list-messages', {
          routeKey: 'GET /conversations/{id}/messages',
          headers: auth(bob.token),
          pathParameters: { id: direct.id },
        });
        return measure(() =>
          call('mark-read', {
            routeKey: 'POST /conversations/{id}/read',
            headers: auth(bob.token),
            pathParameters: { id: direct.id },
            body: { messageId: page.items[0].id },
          }),
        );
      },
    ],
  ];
  // Reactions: a group message, reacted to by the group's members (each call measured on its own).
  const reactionRoute = 'PUT /conversations/{id}/messages/{messageId}/reactions/{emoji}';
  const reacted = await call('send-message', {
    routeKey: 'POST /conversations/{id}/messages',
    headers: auth(alice.token),
    pathParameters: { id: group.id },
    body: { content: { type: 'text', text: 'react to this' } },
  });
  const reaction = (name: string, user: (typeof users)[0], emoji: string, method = 'PUT') =>
    call(name, {
      routeKey: reactionRoute.replace('PUT', method),
      headers: auth(user.token),
      pathParameters: { id: group.id, messageId: reacted.id, emoji },
    });
  const member = (i: number) => users[i] as (typeof users)[0];
  operations.push(
    ['PUT …/reactions/{emoji} (first on a message)', () => reaction('add-reaction', member(1), '👍')],
    ['PUT …/reactions/{emoji} (another user)', () => reaction('add-reaction', member(2), '👍')],
    ['PUT …/reactions/{emoji} (a new emoji)', () => reaction('add-reaction', member(3), '🎉')],
    ['PUT …/reactions/{emoji} (repeated: no change)', () => reaction('add-reaction', member(2), '👍')],
    [
      'DELETE …/reactions/{emoji} (one of several)',
      () => reaction('remove-reaction', member(2), '👍', 'DELETE'),
    ],
    [
      'DELETE …/reactions/{emoji} (the last one)',
      () => reaction('remove-reaction', member(3), '🎉', 'DELETE'),
    ],
    [
      'GET …/reactions/{emoji} (who reacted, 9 users)',
      async () => {
        for (let i = 2; i < users.length; i++) await reaction('add-reaction', member(i), '👍');
        return measure(() => reaction('list-reactions', bob, '👍', 'GET'));
      },
    ],
    [
      'GET …/messages (page of 50, reactions on 10, 3 mine)',
      async () => {
        const page = await call('list-messages', {
          routeKey: 'GET /conversations/{id}/messages',
          headers: auth(bob.token),
          pathParameters: { id: direct.id },
        });
        for (const [i, message] of page.items.slice(0, 10).entries()) {
          await call('add-reaction', {
            routeKey: reactionRoute,
            headers: auth(i < 3 ? bob.token : alice.token),
            pathParameters: { id: direct.id, messageId: message.id, emoji: '🔥' },
          });
        }
        return measure(() =>
          call('list-messages', {
            routeKey: 'GET /conversations/{id}/messages',
            headers: auth(bob.token),
            pathParameters: { id: direct.id },
          }),
        );
      },
    ],
  );
  // Connections and presence (issue 12): the request path of $connect and $disconnect (one write each), and one
  // presence announcement as the stream consumer makes it, for a user with 9 direct conversations.
  const { webSocketEvent } = await import('../test/support/events');
  const ws = async (name: string, event: ReturnType<typeof webSocketEvent>) => {
    const { handler } = (await import(`../functions/ws/${name}.ts`)) as {
      handler: (event: unknown, context: Context) => Promise<{ statusCode: number }>;
    };
    const result = await handler(event, lambdaContext);
    if (result.statusCode >= 400) throw new Error(`${name} -> ${result.statusCode}`);
  };
  const benchConnection = `bench-${Date.now().toString(36)}=`;
  const { announcePresence } = await import('../functions/shared/realtime/presence');
  operations.push(
    [
      'WebSocket $connect (request path)',
      () =>
        ws(
          'connect',
          webSocketEvent('$connect', benchConnection, { queryStringParameters: { token: bob.token } }),
        ),
    ],
    [
      'WebSocket $disconnect (request path)',
      () => ws('disconnect', webSocketEvent('$disconnect', benchConnection)),
    ],
    [
      'presence.changed announced (stream; 9 direct conversations, nobody connected)',
      () =>
        announcePresence(
          {
            userId: alice.id,
            seq: 0,
            takenAt: 0,
            connections: [
              { connectionId: 'bench', connectedAt: Date.now(), tokenExpiresAt: Date.now() + 60_000 },
            ],
          },
          { sender: { post: async () => 'sent' as const, close: async () => undefined } },
        ),
    ],
  );
  const rows: [string, Cost][] = [];
  for (const [name, operation] of operations) {
    const { result, cost } = await measure(operation);
    // Rows that need setup first measure only their own call and return that cost.
    const inner = (result as { cost?: Cost } | undefined)?.cost;
    rows.push([name, inner ?? cost]);
  }
  console.log('\n## DynamoDB cost per API call (DynamoDB Local, ReturnConsumedCapacity)\n');
  console.log('| operation | requests | round trips | RCU | WCU |\n|---|---:|---:|---:|---:|');
  for (const [name, cost] of rows) {
    console.log(
      `| ${name} | ${cost.requests} | ${cost.roundTrips} | ${fmt(cost.readUnits)} | ${fmt(cost.writeUnits)} |`,
    );
  }

  // The calls the cost model prices, each run COST_SAMPLES times (medians): what each costs and how long.
  const timed = (operation: () => Promise<unknown>) => () => measure(operation);
  const priced = {
    send: await sampled(
      COST_SAMPLES,
      timed(() => sendTo(group.id, alice.token, { content: { type: 'text', text: 'priced' } })),
    ),
    listMessages: await sampled(
      COST_SAMPLES,
      timed(() =>
        call('list-messages', {
          routeKey: 'GET /conversations/{id}/messages',
          headers: auth(bob.token),
          pathParameters: { id: direct.id },
        }),
      ),
    ),
    markRead: await sampled(COST_SAMPLES, async () => {
      const sent = await sendTo(direct.id, alice.token, { content: { type: 'text', text: 'to read' } });
      return measure(() =>
        call('mark-read', {
          routeKey: 'POST /conversations/{id}/read',
          headers: auth(bob.token),
          pathParameters: { id: direct.id },
          body: { messageId: sent.id },
        }),
      );
    }),
    // Fewer than 20 pending uploads in all (the quota's set stays one small item).
    createMedia: await sampled(
      COST_SAMPLES,
      timed(() =>
        call('create-media', {
          routeKey: 'POST /media',
          headers: auth(bob.token),
          body: { purpose: 'attachment', contentType: 'image/jpeg', size: 500_000 },
        }),
      ),
    ),
  };

  // What a limit adds to a call: its counter, one conditional UpdateItem (every figure above includes it: GET
  // routes run it beside their reads, writes before their work). Measured on its own, counted and refused.
  const { addToCounter } = await import('../functions/shared/data/limits-store');
  const windowStart = Math.floor(Date.now() / 1000);
  const counter = { limit: 'bench', subject: alice.id, windowStart, expiresAt: windowStart + 60 };
  const counted = await measure(() => addToCounter(counter, 1, 1));
  const refused = await measure(() => addToCounter(counter, 1, 1));
  if (counted.result !== 1 || refused.result !== undefined) throw new Error('the bench counter misbehaved');
  console.log(
    '\n## What a limit adds to a call: its counter write (DynamoDB Local, ReturnConsumedCapacity)\n',
  );
  console.log('| counter write | requests | round trips added on reads | WCU |\n|---|---:|---:|---:|');
  console.log(
    `| counted (the call goes on) | ${counted.cost.requests} | 0 | ${fmt(counted.cost.writeUnits)} |`,
  );
  // A failed condition comes back as an error without ConsumedCapacity; DynamoDB bills it as a write anyway.
  console.log(
    `| refused (429) | ${refused.cost.requests} | 0 | ${fmt(refused.cost.writeUnits)} reported (billed as 1) |`,
  );

  // 2. HTTP latency through the gateway.
  const latency = async (label: string, request: () => Promise<Response>) => {
    const samples: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const started = performance.now();
      const response = await request();
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${label}: ${response.status}`);
      samples.push(performance.now() - started);
    }
    return [label, percentile(samples, 50), percentile(samples, 99)] as const;
  };
  const json = { 'content-type': 'application/json' };
  const latencies = [
    await latency('POST /conversations/{id}/messages', () =>
      fetch(`${api.url}/conversations/${direct.id}/messages`, {
        method: 'POST',
        headers: { ...json, ...auth(alice.token) },
        body: JSON.stringify({ content: { type: 'text', text: 'latency' } }),
      }),
    ),
    await latency('GET /conversations/{id}/messages', () =>
      fetch(`${api.url}/conversations/${direct.id}/messages?limit=50`, { headers: auth(bob.token) }),
    ),
    await latency('GET /conversations', () =>
      fetch(`${api.url}/conversations`, { headers: auth(bob.token) }),
    ),
  ];
  console.log(`\n## HTTP latency through the local gateway (${ITERATIONS} sequential calls each)\n`);
  console.log('| call | p50 ms | p99 ms |\n|---|---:|---:|');
  for (const [label, p50, p99] of latencies) console.log(`| ${label} | ${fmt(p50)} | ${fmt(p99)} |`);

  // 3. Inbox fan-out per message, by group size: the stream consumer's cost, not the sender's.
  const { handler: streamHandler } = await import('../functions/streams/table-stream');
  const { marshall } = await import('@aws-sdk/util-dynamodb');
  console.log('\n## Stream consumer cost per message (off the request path)\n');
  console.log(
    `(medians of ${COST_SAMPLES} runs; a read marker moved: \`conversation.read\` to every member up to 32, else to the reader)\n`,
  );
  console.log(
    '| group size | requests | WCU | RCU | ms | read marker: requests | WCU | RCU | ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  // Groups of 4 and 256: members are profiles written straight to the table (signing 256 users up through
  // the API would only measure scrypt).
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { tableName } = await import('../functions/shared/data/client');
  const extraMembers: string[] = [];
  for (let i = 0; i < 255; i++) {
    const id = `01BENCHMEMBER${String(i).padStart(13, '0')}`;
    extraMembers.push(id);
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          PK: `USER#${id}`,
          SK: 'PROFILE',
          id,
          username: `bench_m${i}`,
          displayName: `m${i}`,
          createdAt: new Date().toISOString(),
        },
      }),
    );
  }
  // Only contacts can be put in a group (issue 8): Alice starts a direct conversation with each, ten at a time.
  for (let i = 0; i < extraMembers.length; i += 10) {
    await Promise.all(
      extraMembers.slice(i, i + 10).map((userId) =>
        call('create-conversation', {
          routeKey: 'POST /conversations',
          headers: auth(alice.token),
          body: { type: 'direct', userId },
        }),
      ),
    );
  }
  await api.drainStreams();
  const bigGroup = async (members: string[]) =>
    (
      await call('create-conversation', {
        routeKey: 'POST /conversations',
        headers: auth(alice.token),
        body: { type: 'group', name: `bench ${members.length + 1}`, memberIds: members.slice(0, 98) },
      })
    ).id as string;
  const groupOf4 = await bigGroup(extraMembers.slice(0, 3));
  const groupOf100 = await bigGroup(extraMembers.slice(0, 98));
  await call('add-members', {
    routeKey: 'POST /conversations/{id}/members',
    headers: auth(alice.token),
    pathParameters: { id: groupOf100 },
    body: { userIds: extraMembers.slice(98, 99) },
  });
  const groupOf256 = await bigGroup(extraMembers.slice(0, 98));
  for (let i = 98; i < extraMembers.length; i += 98) {
    await call('add-members', {
      routeKey: 'POST /conversations/{id}/members',
      headers: auth(alice.token),
      pathParameters: { id: groupOf256 },
      body: { userIds: extraMembers.slice(i, i + 98) },
    });
  }
  await api.drainStreams();
  const sizes: [number, string][] = [
    [2, direct.id],
    [4, groupOf4],
    [10, group.id],
    [100, groupOf100],
    [256, groupOf256],
  ];
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { memberKey } = await import('../functions/shared/data/keys');
  const fanOut: FanOut[] = [];
  for (const [size, conversationId] of sizes) {
    // Each run a new message (ids after every real one), then Alice's read marker moved to it.
    let run = 0;
    const ids: string[] = [];
    const message = await sampled(COST_SAMPLES, () => {
      const id = `01ZZZZZZZZZZZZZZZZZZZZZZ${String(run++).padStart(2, '0')}`;
      ids.push(id);
      const item = {
        PK: `CONV#${conversationId}`,
        SK: `MSG#${id}`,
        id,
        conversationId,
        senderId: alice.id,
        content: { type: 'text', text: 'fan-out' },
        createdAt: new Date().toISOString(),
      };
      return measure(() =>
        streamHandler({
          Records: [
            {
              eventName: 'INSERT',
              dynamodb: {
                Keys: marshall({ PK: item.PK, SK: item.SK }) as never,
                NewImage: marshall(item) as never,
                SequenceNumber: String(run),
              },
            },
          ],
        }),
      );
    });
    const { Item: membership } = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: memberKey(conversationId, alice.id) }),
    );
    let previous = membership ?? {};
    const read = await sampled(COST_SAMPLES, () => {
      const next = {
        ...previous,
        lastReadMessageId: ids.shift(),
        lastReadAt: new Date().toISOString(),
        lastChange: 'read',
      };
      const record = {
        eventName: 'MODIFY' as const,
        dynamodb: {
          Keys: marshall(memberKey(conversationId, alice.id)) as never,
          OldImage: marshall(previous, { removeUndefinedValues: true }) as never,
          NewImage: marshall(next, { removeUndefinedValues: true }) as never,
          SequenceNumber: '1',
        },
      };
      previous = next;
      return measure(() => streamHandler({ Records: [record] }));
    });
    if (size !== 4) fanOut.push({ members: size, message, read });
    console.log(
      `| ${size} | ${message.requests} | ${fmt(message.writeUnits)} | ${fmt(message.readUnits)} | ${fmt(message.durationMs)} | ${read.requests} | ${fmt(read.writeUnits)} | ${fmt(read.readUnits)} | ${fmt(read.durationMs)} |`,
    );
  }
  // A reply in the group of 10: its own record and its root's (the count), as one transaction writes them.
  {
    const at = new Date().toISOString();
    const root = {
      PK: `CONV#${group.id}`,
      SK: `MSG#${threadRoot.id}`,
      id: threadRoot.id,
      conversationId: group.id,
      senderId: alice.id,
      content: { type: 'text', text: 'thread root' },
      createdAt: threadRoot.createdAt,
    };
    const reply = {
      PK: `CONV#${group.id}`,
      SK: 'MSG#01ZZZZZZZZZZZZZZZZZZZZZZZY',
      id: '01ZZZZZZZZZZZZZZZZZZZZZZZY',
      conversationId: group.id,
      senderId: alice.id,
      content: { type: 'text', text: 'a reply' },
      createdAt: at,
      parentMessageId: threadRoot.id,
    };
    const { cost } = await measure(() =>
      streamHandler({
        Records: [
          {
            eventName: 'INSERT',
            dynamodb: {
              Keys: marshall({ PK: reply.PK, SK: reply.SK }) as never,
              NewImage: marshall(reply) as never,
              SequenceNumber: '2',
            },
          },
          {
            eventName: 'MODIFY',
            dynamodb: {
              Keys: marshall({ PK: root.PK, SK: root.SK }) as never,
              OldImage: marshall({ ...root, replyCount: 60 }) as never,
              NewImage: marshall({ ...root, replyCount: 61, lastReplyAt: at }) as never,
              SequenceNumber: '3',
            },
          },
        ],
      }),
    );
    console.log(
      `| 10, a reply (2 events) | ${cost.requests} | ${fmt(cost.writeUnits)} | ${fmt(cost.readUnits)} | | | | | |`,
    );
  }

  // Catching up: 500 events over 20 conversations, then GET /sync from the cursor the user had.
  const others = users.slice(2, 4).map((user) => user.id);
  const catchUpGroups: string[] = [];
  for (let i = 0; i < 20; i++) {
    catchUpGroups.push(
      (
        await call('create-conversation', {
          routeKey: 'POST /conversations',
          headers: auth(alice.token),
          body: { type: 'group', name: `catch-up ${i}`, memberIds: [bob.id, ...others] },
        })
      ).id,
    );
  }
  await api.drainStreams();
  const start = await call('sync', { routeKey: 'GET /sync', headers: auth(bob.token) });
  for (let i = 0; i < 500; i++) {
    await call('send-message', {
      routeKey: 'POST /conversations/{id}/messages',
      headers: auth(alice.token),
      pathParameters: { id: catchUpGroups[i % 20] as string },
      body: { content: { type: 'text', text: `while away ${i}` } },
    });
  }
  await api.drainStreams();
  console.log('\n## Catching up: 500 events over 20 conversations, GET /sync?limit=500\n');
  console.log('| call | events | requests | round trips | RCU |\n|---:|---:|---:|---:|---:|');
  let since: string = start.nextCursor;
  let firstSync: (typeof priced)['send'] & { events: number } = { ...priced.send, events: 0 };
  for (let callNumber = 1; callNumber <= 10; callNumber++) {
    const {
      result: page,
      cost,
      durationMs,
    } = await measure(() =>
      call('sync', {
        routeKey: 'GET /sync',
        headers: auth(bob.token),
        queryStringParameters: { since, limit: '500' },
      }),
    );
    console.log(
      `| ${callNumber} | ${page.events.length} | ${cost.requests} | ${cost.roundTrips} | ${fmt(cost.readUnits)} |`,
    );
    if (callNumber === 1) {
      firstSync = {
        ...cost,
        durationMs: Math.round(durationMs * 10) / 10,
        samples: 1,
        events: page.events.length,
      };
    }
    since = page.nextCursor;
    if (!page.hasMore) break;
  }

  // 4. Real-time delivery latency over real sockets.
  console.log('\n## Real-time delivery (send started -> message.created received)\n');
  console.log('| case | samples | p50 ms | p99 ms |\n|---|---:|---:|---:|');
  for (const result of await measureRealtimeLatency(api, { messages: ITERATIONS })) {
    console.log(`| ${result.label} | ${result.samples} | ${fmt(result.p50)} | ${fmt(result.p99)} |`);
  }

  await api.stopAll();

  writeResults({
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 10) / 10,
    operations: Object.fromEntries(rows),
    costModel: { ...priced, sync: firstSync, fanOut },
  });
  console.log('\nwrote bench/results/latest.json (`npm run costs` turns it into docs/costs.md)');

  await printBundles();

  console.log('\n## Web app: initial JavaScript (Vite build, gzip -9)\n');
  await ensureWebBuild();
  const scripts = initialJavaScript();
  const gzipped = scripts.reduce((sum, script) => sum + script.gzipBytes, 0);
  console.log('| file | KB | KB gzipped |\n|---|---:|---:|');
  for (const script of scripts) {
    console.log(`| ${script.file} | ${fmt(script.bytes / 1024)} | ${fmt(script.gzipBytes / 1024)} |`);
  }
  console.log(`| **total** (budget ${INITIAL_JS_BUDGET_BYTES / 1024} KB) | | **${fmt(gzipped / 1024)}** |`);
}

// 5. Bundles.
async function printBundles() {
  console.log('\n## Function bundles (as the stack builds them) beside the floor\n');
  console.log(await bundleReport(mkdtempSync(join(tmpdir(), 'chat-bundles-'))));
}

(process.argv.includes('bundles') ? printBundles() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
