/**
 * Nothing is lost silently, locally as on AWS: the local stream poller and the S3 event dispatch retry with
 * the stack's settings, split a failing batch down to the failing record, and write what still fails to the
 * local dead-letter store; `npm run redrive -- --local` replays it through the same handlers once the fault
 * is gone, and running it again changes nothing. The faults (a DynamoDB call that is throttled every time)
 * are injected, since DynamoDB Local never throttles.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tableStreamDelivery } from '../../functions/shared/async-delivery';
import { inboxKey, mediaKey } from '../../functions/shared/data/keys';
import type { MessageEvent } from '../../functions/shared/schemas/realtime';
import {
  type AsyncInvocationDeadLetter,
  deadLetterDirectory,
  isStreamBatch,
  localDeadLetterStore,
  type StreamBatchDeadLetter,
} from '../../local/dead-letters';
import { redriveLocal } from '../../local/redrive';
import { directConversation, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { pngImage } from '../support/media-fixtures';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();
// Imported once the stack has set the functions' environment (media bucket, WebSocket endpoint): modules
// read their configuration when first imported.
let dynamo: typeof import('../../functions/shared/data/client')['dynamo'];
let tableName: string;
beforeAll(async () => {
  ({ dynamo, tableName } = await import('../../functions/shared/data/client'));
});
const deadLetters = () => localDeadLetterStore(deadLetterDirectory(api.dataDir));

const opened: TestSocket[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
  for (const { id } of await deadLetters().list()) await deadLetters().remove(id);
});

async function online(user: SignedInUser) {
  const socket = await connect(api.wsUrl, user.token);
  opened.push(socket);
  return socket;
}

async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

/** Every DynamoDB call that `matches` is throttled, every time, until the test ends. */
function failEvery(matches: (command: unknown) => boolean) {
  const send = dynamo.send.bind(dynamo);
  vi.spyOn(dynamo, 'send').mockImplementation(((command: unknown) =>
    matches(command) ? Promise.reject(throttled()) : send(command as never)) as typeof dynamo.send);
}

async function sendText(user: SignedInUser, conversationId: string, text: string): Promise<string> {
  const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { content: { type: 'text', text } },
  });
  expect(response.status).toBe(201);
  return response.body.id;
}

const inboxPosition = async (conversationId: string, userId: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName, Key: inboxKey(conversationId, userId) }))).Item
    ?.GSI1SK;

// Generous: on a busy machine DynamoDB Local's stream can lag by seconds.
const created = (socket: TestSocket, messageId: string, timeoutMs = 20_000) =>
  socket.waitFor<MessageEvent>(
    (event) => event.type === 'message.created' && event.message.id === messageId,
    timeoutMs,
  );

describe('the table stream', () => {
  it('dead-letters only the record that fails every time, delivers the other conversations, and replays it once the fault is gone', async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      signUpAndLogin(api),
      signUpAndLogin(api),
      signUpAndLogin(api),
      signUpAndLogin(api),
    ]);
    const failing = await directConversation(api, alice, bob);
    const healthy = await directConversation(api, carol, dave);
    const [bobSocket, daveSocket] = await Promise.all([online(bob), online(dave)]);
    const bobInboxBefore = await inboxPosition(failing, bob.id);
    // Both projections of the failing conversation's messages read its members: that read is throttled.
    failEvery(
      (command) =>
        command instanceof QueryCommand &&
        command.input.ExpressionAttributeValues?.[':pk'] === `CONV#${failing}`,
    );

    const first = await sendText(carol, healthy, 'one');
    const lost = await sendText(alice, failing, 'this one keeps failing');
    const rest = [await sendText(dave, healthy, 'two'), await sendText(carol, healthy, 'three')];

    for (const id of [first, ...rest]) await created(daveSocket, id);
    const [stored] = await eventually(async () => {
      const letters = await deadLetters().list();
      return letters.length > 0 ? letters : undefined;
    });
    const letter = stored?.letter as StreamBatchDeadLetter;
    expect(isStreamBatch(letter)).toBe(true);
    expect(letter.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: tableStreamDelivery.retryAttempts + 1,
    });
    // Split down to the failing record: the dead letter holds it alone.
    expect(letter.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(letter.records?.map((record) => record.dynamodb?.Keys?.SK?.S)).toEqual([`MSG#${lost}`]);
    await api.drainStreams();
    expect(await deadLetters().list()).toHaveLength(1);
    expect(bobSocket.events.some((event) => event.type === 'message.created')).toBe(false);
    expect(await inboxPosition(failing, bob.id)).toBe(bobInboxBefore);

    // The fault is fixed. As on AWS, the dead letter names only the sequence range: the redrive reads the
    // record back from the stream.
    vi.restoreAllMocks();
    const path = join(deadLetterDirectory(api.dataDir), `${stored?.id}.json`);
    const { records: _records, ...asOnAws } = JSON.parse(
      await readFile(path, 'utf8'),
    ) as StreamBatchDeadLetter;
    await writeFile(path, JSON.stringify(asOnAws));
    const outcomes = await redriveLocal({ dataDir: api.dataDir });

    expect(outcomes).toEqual([expect.objectContaining({ result: 'replayed', records: 1 })]);
    await created(bobSocket, lost);
    expect(await inboxPosition(failing, bob.id)).toBe(`ACT#${lost}`);
    expect(await deadLetters().list()).toEqual([]);
    // Safe to repeat: nothing is left to replay.
    expect(await redriveLocal({ dataDir: api.dataDir })).toEqual([]);
  }, 60_000);

  it('keeps a dead letter whose replay fails again, and says why', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversation = await directConversation(api, alice, bob);
    failEvery(
      (command) =>
        command instanceof QueryCommand &&
        command.input.ExpressionAttributeValues?.[':pk'] === `CONV#${conversation}`,
    );
    await sendText(alice, conversation, 'fails');
    await eventually(async () => ((await deadLetters().list()).length > 0 ? true : undefined));

    const outcomes = await redriveLocal({ dataDir: api.dataDir });

    expect(outcomes).toEqual([
      expect.objectContaining({ result: 'failed', reason: expect.stringContaining('failed again') }),
    ]);
    expect(await deadLetters().list()).toHaveLength(1);
  }, 60_000);
});

describe('the upload check', () => {
  it('dead-letters an S3 event that fails after its retries, with the whole event, and replays it', async () => {
    const alice = await signUpAndLogin(api);
    const image = pngImage(2);
    const declared = await api.request('POST', '/media', {
      token: alice.token,
      body: { purpose: 'attachment', contentType: 'image/png', size: image.length },
    });
    expect(declared.status, declared.text).toBe(201);
    const mediaId = declared.body.id as string;
    let attempts = 0;
    failEvery((command) => {
      const failing = command instanceof UpdateCommand && command.input.Key?.PK === mediaKey(mediaId).PK;
      if (failing) attempts += 1;
      return failing;
    });
    const form = new FormData();
    for (const [name, value] of Object.entries<string>(declared.body.upload.fields)) form.append(name, value);
    form.append('file', new Blob([image], { type: 'image/png' }));
    await fetch(declared.body.upload.url, { method: 'POST', body: form });

    const [stored] = await eventually(async () => {
      const letters = await deadLetters().list();
      return letters.length > 0 ? letters : undefined;
    });
    const letter = stored?.letter as AsyncInvocationDeadLetter;
    expect(letter.requestContext.condition).toBe('RetriesExhausted');
    expect(attempts).toBe(3);
    expect(JSON.stringify(letter.requestPayload)).toContain(mediaId);
    const status = async () =>
      (await api.request('GET', `/media/${mediaId}`, { token: alice.token })).body.status;
    expect(await status()).toBe('pending');

    vi.restoreAllMocks();
    const outcomes = await redriveLocal({ dataDir: api.dataDir });

    expect(outcomes).toEqual([expect.objectContaining({ kind: 'invocation', result: 'replayed' })]);
    expect(await status()).toBe('ready');
    expect(await deadLetters().list()).toEqual([]);
  }, 60_000);
});
