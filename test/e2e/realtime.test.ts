/**
 * Real-time delivery end to end, over real sockets: the local WebSocket gateway runs the same handlers as
 * API Gateway would, fed by DynamoDB Local's stream through the same table-stream function.
 */
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newSigningKey } from '../../functions/shared/auth/token-keys';
import { connectionOwnerKey, feedHeadKey } from '../../functions/shared/data/keys';
import type { MessageEvent, RealtimeEvent } from '../../functions/shared/schemas/realtime';
import { localDynamoClient } from '../../local/stack';
import { makeContacts, type SignedInUser, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { pngImage } from '../support/media-fixtures';
import { serverKeySet, signEs256 } from '../support/tokens';
import { connect, refusalStatus, type TestSocket, type TokenPlacement } from '../support/ws';

const api = useApi();

// The table of this test file (see test/support/isolated-table.ts), read directly to check connection items.
const db = DynamoDBDocumentClient.from(localDynamoClient(process.env.DYNAMODB_ENDPOINT ?? ''));
const tableName = process.env.TABLE_NAME ?? '';
afterAll(() => db.destroy());

const opened: TestSocket[] = [];
afterEach(async () => {
  const sockets = opened.splice(0);
  await Promise.all(sockets.map((socket) => socket.close()));
  for (const socket of sockets) expect(socket.invalid).toEqual([]);
});

async function online(user: SignedInUser, placement: TokenPlacement = 'query'): Promise<TestSocket> {
  const socket = await connect(api.wsUrl, user.token, placement);
  opened.push(socket);
  return socket;
}

const helpers = conversationHelpers(api);
const { users, call } = helpers;
const group = (owner: SignedInUser, members: SignedInUser[]) =>
  helpers.group(owner, members, 'Realtime group');

const direct = async (caller: SignedInUser, other: SignedInUser): Promise<string> =>
  (await call(caller, 'POST', '/conversations', { type: 'direct', userId: other.id })).id;

const send = async (user: SignedInUser, conversationId: string, text: string): Promise<{ id: string }> =>
  call(user, 'POST', `/conversations/${conversationId}/messages`, { content: { type: 'text', text } });

const created = (text: string) => (event: RealtimeEvent) =>
  event.type === 'message.created' &&
  event.message.content?.type === 'text' &&
  event.message.content.text === text;

/** After the streams have caught up, nothing matching arrives for a further `ms` (absence, bounded). */
async function expectQuiet(sockets: TestSocket[], predicate: (event: RealtimeEvent) => boolean, ms = 500) {
  await api.drainStreams();
  await new Promise((resolve) => setTimeout(resolve, ms));
  for (const socket of sockets) expect(socket.events.filter(predicate)).toEqual([]);
}

/** Presence (presence.test.ts) goes to the partners of direct conversations as their sockets open. */
const anythingButPresence = (event: RealtimeEvent) => event.type !== 'presence.changed';

async function eventually(check: () => Promise<boolean>, timeoutMs = 2500) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The user's feed head, where their open connections are registered (one `C#<id>` attribute each). */
const feedHead = async (userId: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: feedHeadKey(userId), ConsistentRead: true })))
    .Item ?? {};
const connectionsOf = async (userId: string) =>
  Object.keys(await feedHead(userId))
    .filter((name) => name.startsWith('C#'))
    .map((name) => name.slice(2));

describe('connecting', () => {
  it('refuses a handshake without a token with 401, so no connection ever exists', async () => {
    expect(await refusalStatus(api.wsUrl)).toBe(401);
    expect(await refusalStatus(`${api.wsUrl}/?token=`)).toBe(401);
  });

  it('refuses a malformed, a tampered, an expired and a foreign-signed token, in the URL or in the subprotocol', async () => {
    const [alice] = await users(1);
    const { current } = await serverKeySet();
    const expired = await signEs256(current, { sub: alice.id, expiresIn: -60, issuedAgo: 3600 });
    const foreign = await signEs256(newSigningKey(), { sub: alice.id });
    const tampered = `${alice.token.slice(0, -4)}AAAA`;

    for (const token of ['not-a-token', tampered, expired, foreign]) {
      expect(await refusalStatus(`${api.wsUrl}/?token=${encodeURIComponent(token)}`)).toBe(401);
      expect(await refusalStatus(api.wsUrl, ['bearer', token])).toBe(401);
    }
  });

  it('refuses two different tokens in the URL and the subprotocol', async () => {
    const [alice, bob] = await users(2);

    const status = await refusalStatus(`${api.wsUrl}/?token=${alice.token}`, ['bearer', bob.token]);

    expect(status).toBe(401);
  });

  it('accepts the token in the bearer subprotocol and selects "bearer", as browsers require', async () => {
    const [alice] = await users(1);

    const socket = await online(alice, 'subprotocol');

    expect(socket.protocol).toBe('bearer');
  });

  it("registers the connection on its user's feed head with its token's expiry, and forgets it on disconnect", async () => {
    const [alice] = await users(1);
    const socket = await online(alice);

    // $connect writes the owner item; the table stream registers it on the head a moment later.
    await eventually(async () => (await connectionsOf(alice.id)).length === 1);
    const [connectionId] = await connectionsOf(alice.id);
    const head = await feedHead(alice.id);
    const registered = head[`C#${connectionId}`] as { connectedAt: number; tokenExpiresAt: number };
    const tokenExpiry = JSON.parse(Buffer.from(alice.token.split('.')[1] ?? '', 'base64url').toString()).exp;
    expect(registered.tokenExpiresAt).toBe(tokenExpiry * 1000);
    expect(Math.abs(registered.connectedAt - Date.now())).toBeLessThan(60_000);
    const owner = await db.send(
      new GetCommand({ TableName: tableName, Key: connectionOwnerKey(connectionId as string) }),
    );
    expect(owner.Item).toMatchObject({ userId: alice.id, tokenExpiresAt: tokenExpiry * 1000 });
    expect(owner.Item?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 2 * 3600);

    await socket.close();

    await eventually(async () => (await connectionsOf(alice.id)).length === 0);
    expect((await feedHead(alice.id)).lastActiveAt).toEqual(expect.any(String));
    const ownerAfter = await db.send(
      new GetCommand({ TableName: tableName, Key: connectionOwnerKey(connectionId as string) }),
    );
    expect(ownerAfter.Item).toBeUndefined();
  });
});

describe('delivery of messages', () => {
  it('delivers a message to another member within a second', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const bobSocket = await online(bob);
    const started = Date.now();

    const message = await send(alice, conversationId, 'hello in real time');
    const event = await bobSocket.waitFor(created('hello in real time'), 1000);

    expect(Date.now() - started).toBeLessThan(1000);
    expect(event).toEqual({
      type: 'message.created',
      conversationId,
      message: expect.objectContaining({
        id: message.id,
        conversationId,
        senderId: alice.id,
        content: { type: 'text', text: 'hello in real time' },
      }),
      seq: expect.any(Number),
      cursor: expect.any(String),
    });
  });

  it("delivers nothing to a non-member or to another conversation's members", async () => {
    const [alice, bob, carol, dave] = await users(4);
    const conversationId = await direct(alice, bob);
    await direct(carol, dave);
    await api.drainStreams(); // the conversations' own member.added events are not what this is about
    const [bobSocket, carolSocket, daveSocket] = await Promise.all([
      online(bob),
      online(carol),
      online(dave),
    ]);

    await send(alice, conversationId, 'only for Bob');

    await bobSocket.waitFor(created('only for Bob'));
    await expectQuiet([carolSocket, daveSocket], anythingButPresence);
  });

  it("delivers to every connection of a user, the sender's own included", async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const bobSockets = await Promise.all(
      (['query', 'subprotocol', 'query', 'subprotocol', 'query'] as const).map((placement) =>
        online(bob, placement),
      ),
    );
    const aliceSocket = await online(alice);

    await send(alice, conversationId, 'to every device');

    await Promise.all(
      [...bobSockets, aliceSocket].map((socket) => socket.waitFor(created('to every device'))),
    );
  });

  it('delivers an image message as the HTTP API shows it, with a signed CDN URL that works', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const bobSocket = await online(bob);
    const image = pngImage(4);
    const declared = await call(alice, 'POST', '/media', {
      purpose: 'attachment',
      contentType: 'image/png',
      size: image.length,
    });
    const form = new FormData();
    for (const [name, value] of Object.entries<string>(declared.upload.fields)) form.append(name, value);
    form.append('file', new Blob([image], { type: 'image/png' }));
    expect((await fetch(declared.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    await eventually(async () => (await call(alice, 'GET', `/media/${declared.id}`)).status === 'ready');

    const sent = await call(alice, 'POST', `/conversations/${conversationId}/messages`, {
      content: { type: 'image', image: declared.id },
    });

    const event = await bobSocket.waitFor<MessageEvent>(
      (candidate) => candidate.type === 'message.created' && candidate.message.id === sent.id,
    );
    expect(event.message.content).toMatchObject({
      type: 'image',
      image: declared.id,
      url: expect.stringContaining(api.cdnUrl),
      contentType: 'image/png',
    });
    const url = (event.message.content as { url: string }).url;
    expect((await fetch(url)).status).toBe(200);
  });

  it('delivers edits and deletions', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const bobSocket = await online(bob);
    const message = await send(alice, conversationId, 'first draft');
    const path = `/conversations/${conversationId}/messages/${message.id}`;

    await call(alice, 'PATCH', path, { text: 'second draft' });
    const updated = await bobSocket.waitFor((event) => event.type === 'message.updated');
    await call(alice, 'DELETE', path);
    const deleted = await bobSocket.waitFor((event) => event.type === 'message.deleted');

    expect(updated).toMatchObject({
      conversationId,
      message: {
        id: message.id,
        content: { type: 'text', text: 'second draft' },
        editedAt: expect.any(String),
      },
    });
    expect(deleted).toMatchObject({
      conversationId,
      message: { id: message.id, content: null, deletedAt: expect.any(String) },
    });
  });

  it("delivers read markers, but none for the sender's own message", async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const aliceSocket = await online(alice);
    const message = await send(alice, conversationId, 'read me');
    await aliceSocket.waitFor(created('read me'));

    await call(bob, 'POST', `/conversations/${conversationId}/read`, { messageId: message.id });

    const read = await aliceSocket.waitFor((event) => event.type === 'conversation.read');
    expect(read).toEqual({
      type: 'conversation.read',
      conversationId,
      userId: bob.id,
      lastReadMessageId: message.id,
      lastReadAt: expect.any(String),
      seq: expect.any(Number),
      cursor: expect.any(String),
    });
    await expectQuiet(
      [aliceSocket],
      (event) => event.type === 'conversation.read' && event.userId === alice.id,
    );
  });

  it('tells members who joins and who leaves; a removed member is told, then hears nothing more', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob]);
    await makeContacts(api, alice, carol);
    const [bobSocket, carolSocket] = await Promise.all([online(bob), online(carol)]);

    await call(alice, 'POST', `/conversations/${conversationId}/members`, { userIds: [carol.id] });
    const added = (event: RealtimeEvent) => event.type === 'member.added' && event.userId === carol.id;
    const joined = (event: RealtimeEvent) =>
      event.type === 'conversation.joined' && event.conversationId === conversationId;
    const [bobSawAdded, carolJoined] = await Promise.all([
      bobSocket.waitFor(added),
      carolSocket.waitFor(joined),
    ]);
    await call(alice, 'DELETE', `/conversations/${conversationId}/members/${carol.id}`);
    const removed = (event: RealtimeEvent) => event.type === 'member.removed' && event.userId === carol.id;
    await Promise.all([bobSocket.waitFor(removed), carolSocket.waitFor(removed)]);
    await send(alice, conversationId, 'after Carol left');
    await bobSocket.waitFor(created('after Carol left'));

    expect(bobSawAdded).toEqual({
      type: 'member.added',
      conversationId,
      userId: carol.id,
      role: 'member',
      joinedAt: expect.any(String),
      lastReadMessageId: null,
      lastReadAt: null,
      seq: expect.any(Number),
      cursor: expect.any(String),
    });
    expect(carolJoined).toMatchObject({
      type: 'conversation.joined',
      conversationId,
      conversation: {
        id: conversationId,
        type: 'group',
        name: 'Realtime group',
        myRole: 'member',
        members: expect.arrayContaining([
          expect.objectContaining({ userId: alice.id, role: 'owner' }),
          expect.objectContaining({ userId: bob.id, role: 'member' }),
          expect.objectContaining({ userId: carol.id, role: 'member' }),
        ]),
      },
    });
    expect(carolSocket.events.filter(added)).toEqual([]);
    await expectQuiet([carolSocket], created('after Carol left'));
  });

  it('forgets a stale connection (410) without losing delivery to the others', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const bobSocket = await online(bob);
    // A connection whose $disconnect never arrived: registered on the head, its socket long gone.
    const staleId = 'c3RhbGUgY29ubmVjdGlvbg==';
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: feedHeadKey(bob.id),
        UpdateExpression: 'SET #stale = :info',
        ExpressionAttributeNames: { '#stale': `C#${staleId}` },
        ExpressionAttributeValues: {
          ':info': { connectedAt: Date.now() - 60_000, tokenExpiresAt: Date.now() + 600_000 },
        },
      }),
    );

    await send(alice, conversationId, 'despite a stale connection');

    await bobSocket.waitFor(created('despite a stale connection'));
    await eventually(async () => !(await connectionsOf(bob.id)).includes(staleId));
    expect(await connectionsOf(bob.id)).toHaveLength(1);
  });

  it('closes a connection whose access token has expired at its next event, saying why, and delivers to the others', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const { current } = await serverKeySet();
    const shortLived = await signEs256(current, { sub: bob.id, expiresIn: 2 });
    const expiring = await online({ ...bob, token: shortLived });
    const fresh = await online(bob);
    const closed = new Promise<number>((resolve) => expiring.socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 2500));

    await send(alice, conversationId, 'after the token expired');

    await fresh.waitFor(created('after the token expired'));
    expect(await closed).toBe(1000);
    expect(expiring.events).toContainEqual({ type: 'connection.closing', reason: 'token-expired' });
    expect(expiring.events.filter(created('after the token expired'))).toEqual([]);
    await eventually(async () => (await connectionsOf(bob.id)).length === 1);
  });

  it('keeps at most 10 connections per user: the 11th closes the oldest, saying why', async () => {
    const [alice] = await users(1);
    const sockets: TestSocket[] = [];
    for (let i = 0; i < 10; i++) sockets.push(await online(alice));
    const oldest = sockets[0] as TestSocket;
    const closed = new Promise<number>((resolve) => oldest.socket.once('close', (code) => resolve(code)));

    await online(alice);

    expect(await closed).toBe(1000);
    expect(oldest.events).toContainEqual({ type: 'connection.closing', reason: 'connection-limit' });
    await eventually(async () => (await connectionsOf(alice.id)).length === 10);
    for (const socket of sockets.slice(1)) expect(socket.socket.readyState).toBe(socket.socket.OPEN);
  });
});

describe('client actions', () => {
  it('relays typing to the other members only, at most once per interval', async () => {
    const [alice, bob, carol, dave] = await users(4);
    const conversationId = await group(alice, [bob, carol]);
    const [aliceSocket, bobSocket, carolSocket, daveSocket] = await Promise.all([
      online(alice),
      online(bob),
      online(carol),
      online(dave),
    ]);
    // Typing goes to connections registered on the members' heads: done from the stream, right after $connect.
    await api.drainStreams();
    const typing = (event: RealtimeEvent) => event.type === 'typing';

    aliceSocket.send({ action: 'typing', conversationId });
    const [seenByBob] = await Promise.all([bobSocket.waitFor(typing), carolSocket.waitFor(typing)]);
    aliceSocket.send({ action: 'typing', conversationId });

    expect(seenByBob).toEqual({ type: 'typing', conversationId, userId: alice.id });
    await expectQuiet([aliceSocket, daveSocket], typing);
    expect(bobSocket.events.filter(typing)).toHaveLength(1);
  });

  it('relays nothing for a non-member, who is told nothing either', async () => {
    const [alice, bob, mallory] = await users(3);
    const conversationId = await direct(alice, bob);
    await api.drainStreams();
    const [aliceSocket, bobSocket, mallorySocket] = await Promise.all([
      online(alice),
      online(bob),
      online(mallory),
    ]);

    mallorySocket.send({ action: 'typing', conversationId });

    await expectQuiet([aliceSocket, bobSocket, mallorySocket], anythingButPresence);
  });

  it('answers ping with pong, and an unknown action or a non-JSON message with an error', async () => {
    const [alice] = await users(1);
    const socket = await online(alice);

    socket.send({ action: 'ping' });
    await socket.waitFor((event) => event.type === 'pong');
    socket.send({ action: 'dance' });
    socket.send('hello?');

    await socket.waitFor((event) => event.type === 'error' && event.message.includes('"typing"'));
    await eventually(async () => socket.events.filter((event) => event.type === 'error').length === 2);
  });

  it('drops a client that sends a binary frame with 1003, as API Gateway does', async () => {
    const [alice] = await users(1);
    const socket = await online(alice);
    const closed = new Promise<number>((resolve) => socket.socket.once('close', (code) => resolve(code)));

    socket.socket.send(Buffer.from([1, 2, 3]), { binary: true });

    expect(await closed).toBe(1003);
  });
});

describe('catching up after a reconnect', () => {
  it('gets what it missed from GET /sync since the cursor of the last event it saw, in order', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const first = await online(bob);
    await send(alice, conversationId, 'seen live');
    const lastSeen = await first.waitFor<MessageEvent>(created('seen live'));
    await first.close();
    const missed = [
      await send(alice, conversationId, 'missed 1'),
      await send(alice, conversationId, 'missed 2'),
    ];

    const again = await online(bob);
    await api.drainStreams();
    const page = await call(bob, 'GET', `/sync?since=${encodeURIComponent(lastSeen.cursor)}`);
    await send(alice, conversationId, 'live again');

    expect(page.events.map((event: MessageEvent) => event.message.id)).toEqual(
      missed.map((message) => message.id),
    );
    expect(page.events.map((event: MessageEvent) => event.seq)).toEqual([lastSeen.seq + 1, lastSeen.seq + 2]);
    expect(page.hasMore).toBe(false);
    const live = await again.waitFor<MessageEvent>(created('live again'));
    expect(live.seq).toBe(lastSeen.seq + 3);
  });
});
