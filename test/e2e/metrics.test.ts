/**
 * Business and health metrics are counted where they happen, through the same handlers the user runs: the
 * points are captured in-process (the sink each function writes to is replaced), then their EMF format is
 * checked on its own in test/unit/metrics.test.ts.
 */
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { feedHeadKey } from '../../functions/shared/data/keys';
import { useMetricsSink } from '../../functions/shared/metrics';
import type { MetricPoint } from '../../functions/shared/metrics/emf';
import { localDynamoClient } from '../../local/stack';
import { directConversation, signUpAndLogin, useApi } from '../support/api';
import { pngImage } from '../support/media-fixtures';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();
const db = DynamoDBDocumentClient.from(localDynamoClient(process.env.DYNAMODB_ENDPOINT ?? ''));
const tableName = process.env.TABLE_NAME ?? '';

let points: MetricPoint[] = [];
let restore: (() => void) | undefined;
// After the stack has loaded the functions (each sets its own sink on load).
beforeAll(() => {
  restore = useMetricsSink({ add: (point) => points.push(point) });
});
beforeEach(() => {
  points = [];
});
const sockets: TestSocket[] = [];
afterAll(async () => {
  restore?.();
  await Promise.all(sockets.map((socket) => socket.close()));
  db.destroy();
});

const total = (name: string, dimensions: Record<string, string> = {}) =>
  points
    .filter(
      (point) =>
        point.name === name &&
        Object.entries(dimensions).every(([key, value]) => point.dimensions[key] === value),
    )
    .reduce((sum, point) => sum + point.value, 0);

async function eventually(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; points: ${JSON.stringify(points)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function upload(token: string, bytes: Buffer, contentType: string) {
  const declared = await api.request('POST', '/media', {
    token,
    body: { purpose: 'attachment', contentType, size: bytes.length },
  });
  const form = new FormData();
  for (const [name, value] of Object.entries<string>(declared.body.upload.fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: contentType }));
  await fetch(declared.body.upload.url, { method: 'POST', body: form });
  return declared.body.id as string;
}

describe('metrics', () => {
  it('counts a failed login, and not a successful one', async () => {
    const alice = await signUpAndLogin(api);
    points = [];

    await api.request('POST', '/login', { body: { username: alice.username, password: 'not the password' } });
    await api.request('POST', '/login', {
      body: { username: 'nobody-like-this', password: 'whatever it is' },
    });
    await api.request('POST', '/login', { body: { username: alice.username, password: alice.password } });

    expect(total('LoginsFailed')).toBe(2);
  });

  it('counts each message sent by its type, once even when the send is retried', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const send = () =>
      api.request('POST', `/conversations/${conversationId}/messages`, {
        token: alice.token,
        body: { content: { type: 'text', text: 'hello' }, clientMessageId: 'once' },
      });

    expect((await send()).status).toBe(201);
    expect((await send()).status).toBe(200);

    expect(total('MessagesSent', { type: 'text' })).toBe(1);
  });

  it('counts deliveries, and a gone connection as gone and removed', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    points = [];
    // A connection whose $disconnect never arrived: the first event for bob finds it gone (410).
    const staleId = 'Z29uZSBjb25uZWN0aW9u';
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: feedHeadKey(bob.id),
        UpdateExpression: 'SET #connection = :info',
        ExpressionAttributeNames: { '#connection': `C#${staleId}` },
        // Older than the handshake grace, so a 410 means gone (realtime/delivery.ts).
        ExpressionAttributeValues: {
          ':info': { connectedAt: Date.now() - 60_000, tokenExpiresAt: Date.now() + 3600_000 },
        },
      }),
    );
    const socket = await connect(api.wsUrl, bob.token);
    sockets.push(socket);
    const conversationId = await directConversation(api, alice, bob);

    const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'text', text: 'to every connection' } },
    });

    // Events of the new conversation (members added, then the message) reach bob's live socket; the first
    // of them also finds the stale connection gone and removes it.
    await socket.waitFor(
      (event) => event.type === 'message.created' && event.message.id === sent.body.id,
      20_000,
    );
    await eventually(() => total('StaleConnectionsRemoved') === 1, 20_000);
    expect(total('DeliveriesGone')).toBe(1);
    expect(total('DeliveriesAttempted')).toBeGreaterThanOrEqual(2);
    expect(total('DeliveriesFailed')).toBe(0);
    expect(points.some((point) => point.name === 'StreamBatchAge' && point.unit === 'Milliseconds')).toBe(
      true,
    );
  }, 60_000);

  it('counts WebSocket calls refused by limits: typing within its interval, and the oldest of 11 connections', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const [aliceSocket, bobSocket] = await Promise.all([
      connect(api.wsUrl, alice.token),
      connect(api.wsUrl, bob.token),
    ]);
    sockets.push(aliceSocket, bobSocket);
    await api.drainStreams(); // the stream registers the sockets: typing reaches registered ones
    points = [];

    aliceSocket.send({ action: 'typing', conversationId });
    await bobSocket.waitFor((event) => event.type === 'typing');
    aliceSocket.send({ action: 'typing', conversationId });
    await eventually(() => total('CallsRefusedByLimits', { route: 'typing' }) === 1);

    // Bob has one socket open: nine more reach the limit, the eleventh closes the oldest.
    for (let i = 0; i < 10; i++) sockets.push(await connect(api.wsUrl, bob.token));
    await bobSocket.waitFor((event) => event.type === 'connection.closing');
    // Counted by the stream consumer that registered the eleventh, once it has closed the oldest.
    await eventually(() => total('CallsRefusedByLimits', { route: 'connect' }) === 1);
    expect(total('CallsRefusedByLimits', { route: 'connect' })).toBe(1);
  }, 60_000);

  it('counts upload checks passed and rejected', async () => {
    const alice = await signUpAndLogin(api);
    points = [];

    await upload(alice.token, pngImage(2), 'image/png');
    await upload(alice.token, Buffer.from('not a picture at all'), 'image/png');

    await eventually(() => total('UploadChecksPassed') === 1 && total('UploadChecksRejected') === 1, 20_000);
  }, 60_000);
});
