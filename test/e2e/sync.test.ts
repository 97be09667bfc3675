/**
 * GET /sync end to end against the local stack: a client that was offline, or that disconnects at random
 * points, applies what /sync and its socket give it and ends with exactly the state the HTTP API shows;
 * cursors of other users, expired and unknown cursors are refused as the contract says.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { makeContacts, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';
import { apiState, SyncClient } from '../support/sync-client';

const api = useApi();

const clients: SyncClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
});

async function call(user: SignedInUser, method: string, path: string, body?: unknown) {
  const response = await api.request(method, path, { token: user.token, body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

/** A tuple of exactly N users, so destructured users are never possibly undefined. */
type Users<N extends number, T extends SignedInUser[] = []> = T['length'] extends N
  ? T
  : Users<N, [...T, SignedInUser]>;

const users = <N extends number>(count: N) =>
  Promise.all(Array.from({ length: count }, () => signUpAndLogin(api))) as Promise<Users<N>>;

/** A group of the owner's contacts (only people one shares a conversation with can be added: issue 8). */
const group = async (owner: SignedInUser, members: SignedInUser[], name = 'Sync group'): Promise<string> => {
  await makeContacts(api, owner, ...members);
  return (
    await call(owner, 'POST', '/conversations', { type: 'group', name, memberIds: members.map((m) => m.id) })
  ).id;
};

const send = async (user: SignedInUser, conversationId: string, text: string): Promise<string> =>
  (await call(user, 'POST', `/conversations/${conversationId}/messages`, { content: { type: 'text', text } }))
    .id;

/** A cursor as the server makes them (base64url JSON), with some fields changed. */
function rewrite(cursor: string, change: Record<string, string>): string {
  const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  return Buffer.from(JSON.stringify({ ...value, ...change })).toString('base64url');
}

async function newClient(user: SignedInUser, pageSize?: number) {
  const client = new SyncClient(api, user, pageSize);
  clients.push(client);
  await client.start();
  return client;
}

describe('GET /sync', () => {
  it('starts a client with a cursor for now and the first inbox page', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    await send(alice, conversationId, 'before the start');
    await api.drainStreams();

    const response = await api.request('GET', '/sync', { token: bob.token });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ events: [], hasMore: false, nextCursor: expect.any(String) });
    // Besides the group: the direct chat that made its members contacts (older, so listed after it).
    expect(response.body.inbox.items.map((item: { id: string }) => item.id)).toEqual([
      conversationId,
      expect.stringMatching(/^dm_/),
    ]);
    const after = await api.request('GET', `/sync?since=${encodeURIComponent(response.body.nextCursor)}`, {
      token: bob.token,
    });
    expect(after.body.events).toEqual([]);
  });

  it('brings a member who was offline during sends, edits, deletions, a rename and their removal from another group to the exact state', async () => {
    const [alice, bob, carol] = await users(3);
    const kept = await group(alice, [bob, carol], 'Kept');
    const left = await group(carol, [bob], 'Left behind');
    const first = await send(alice, kept, 'first');
    await api.drainStreams();
    const client = await newClient(bob, 3);
    // Besides the two groups: the direct chats that made their members contacts.
    const groupsIn = (state: Record<string, unknown>) =>
      Object.keys(state).filter((id) => !id.startsWith('dm_'));
    expect(groupsIn(client.state).sort()).toEqual([kept, left].sort());

    // Bob is offline.
    const second = await send(carol, kept, 'second');
    await call(alice, 'PATCH', `/conversations/${kept}/messages/${first}`, { text: 'first, edited' });
    await call(carol, 'DELETE', `/conversations/${kept}/messages/${second}`);
    await call(alice, 'PATCH', `/conversations/${kept}`, { name: 'Renamed' });
    await call(carol, 'POST', `/conversations/${kept}/read`, { messageId: first });
    await call(alice, 'PATCH', `/conversations/${kept}/members/${carol.id}`, { role: 'admin' });
    await send(carol, left, 'before the removal');
    await call(carol, 'DELETE', `/conversations/${left}/members/${bob.id}`);
    await send(carol, left, 'after the removal: not for bob');
    await call(carol, 'PATCH', `/conversations/${left}`, { name: 'Not for bob either' });
    await api.drainStreams();

    await client.sync();

    expect(client.state).toEqual(await apiState(api, bob));
    expect(client.state[kept]?.name).toBe('Renamed');
    expect(client.state[left]).toBeUndefined();
    expect(client.strays).toEqual([]);
    const aboutLeft = client.applied.filter((event) => event.conversationId === left);
    expect(aboutLeft.at(-1)).toMatchObject({ type: 'member.removed', userId: bob.id });
    expect(JSON.stringify(client.applied)).not.toContain('not for bob');
  });

  it('gives a member added to a group with history the read marker the API shows for them', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob], 'With history');
    await makeContacts(api, alice, carol); // only contacts can be added
    const latest = await send(alice, conversationId, 'before carol');
    await api.drainStreams();
    const client = await newClient(bob);

    await call(alice, 'POST', `/conversations/${conversationId}/members`, { userIds: [carol.id] });
    await api.drainStreams();
    await client.sync();

    expect(client.applied.at(-1)).toMatchObject({
      type: 'member.added',
      userId: carol.id,
      lastReadMessageId: latest,
      lastReadAt: expect.any(String),
    });
    expect(client.state).toEqual(await apiState(api, bob));
  });

  it('takes a member who was added to a group and removed again while offline through the events in between, and nothing after', async () => {
    const [alice, bob, carol] = await users(3);
    await makeContacts(api, alice, bob); // only contacts can be added; before bob's client starts
    const client = await newClient(bob);
    const brief = await group(alice, [carol], 'Brief');

    // Bob is offline: added, the group changes, he is removed, it changes again, back to back: the stream
    // consumer may read the members of a batch after his removal (its departed member item tells it he was in).
    await call(alice, 'POST', `/conversations/${brief}/members`, { userIds: [bob.id] });
    await call(alice, 'DELETE', `/conversations/${brief}/members/${carol.id}`);
    await call(alice, 'PATCH', `/conversations/${brief}`, { name: 'While bob was in' });
    await call(alice, 'DELETE', `/conversations/${brief}/members/${bob.id}`);
    await call(alice, 'PATCH', `/conversations/${brief}`, { name: 'Not for bob' });
    await api.drainStreams();

    await client.sync();

    // The conversation is gone when bob syncs, yet every event up to his removal is his, in order.
    expect(client.strays).toEqual([]);
    expect(client.applied.map((event) => event.type)).toEqual([
      'conversation.joined',
      'member.removed',
      'conversation.updated',
      'member.removed',
    ]);
    expect(client.applied.at(-1)).toMatchObject({ type: 'member.removed', userId: bob.id });
    expect(client.state).toEqual(await apiState(api, bob));
  });

  it("refuses another user's cursor with 403", async () => {
    const [alice, bob] = await users(2);
    const start = await call(alice, 'GET', '/sync');

    const response = await api.request('GET', `/sync?since=${encodeURIComponent(start.nextCursor)}`, {
      token: bob.token,
    });

    expectProblem(response, 403);
  });

  it('answers 410 with the resync type for a cursor older than the retention window, and for an unknown position', async () => {
    const [alice, bob] = await users(2);
    await group(alice, [bob]);
    await api.drainStreams();
    const start = await call(bob, 'GET', '/sync');
    const eightDaysAgo = String(Date.now() - 8 * 24 * 3600_000);

    const expired = await api.request(
      'GET',
      `/sync?since=${encodeURIComponent(rewrite(start.nextCursor, { t: eightDaysAgo }))}`,
      { token: bob.token },
    );
    const unknown = await api.request(
      'GET',
      `/sync?since=${encodeURIComponent(rewrite(start.nextCursor, { s: '999999' }))}`,
      { token: bob.token },
    );

    for (const response of [expired, unknown]) {
      expectProblem(response, 410);
      expect(response.body.type).toMatch(/resync/);
    }
  });

  it('answers 400 for a malformed cursor or limit', async () => {
    const [alice] = await users(1);

    for (const query of ['since=not-a-cursor', 'since=', 'limit=0', 'limit=501', 'limit=two', 'extra=1']) {
      const response = await api.request('GET', `/sync?${query}`, { token: alice.token });
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type'), query).toContain('application/problem+json');
    }
  });

  it('answers 401 without a token', async () => {
    expectProblem(await api.request('GET', '/sync'), 401);
  });

  it("keeps the sender's own read marker forward under concurrent sends by the same sender", async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);

    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) => send(alice, conversationId, `burst ${i}`)),
    );
    await api.drainStreams();

    const shown = await call(alice, 'GET', `/conversations/${conversationId}`);
    const marker = shown.members.find((member: { userId: string }) => member.userId === alice.id);
    expect(marker.lastReadMessageId).toBe([...ids].sort().at(-1));
  });
});

/** One random operation of the property test; indexes are taken modulo what exists at the time. */
type Operation =
  | { kind: 'send'; actor: number; conversation: number }
  | { kind: 'edit'; message: number }
  | { kind: 'delete'; message: number; byOwner: boolean }
  | { kind: 'read'; actor: number; conversation: number }
  | { kind: 'react'; actor: number; message: number; emoji: number; remove: boolean }
  | { kind: 'add'; conversation: number; user: number }
  | { kind: 'remove'; conversation: number; user: number }
  | { kind: 'rename'; conversation: number }
  | { kind: 'role'; conversation: number; user: number; admin: boolean }
  | { kind: 'disconnect' }
  | { kind: 'reconnect' }
  | { kind: 'process' };

const index = fc.nat({ max: 20 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('send' as const), actor: index, conversation: index }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('edit' as const), message: index }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), message: index, byOwner: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('read' as const), actor: index, conversation: index }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('react' as const),
      actor: index,
      message: index,
      emoji: fc.nat({ max: 2 }),
      remove: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('add' as const), conversation: index, user: index }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('remove' as const), conversation: index, user: index }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), conversation: index }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('role' as const),
      conversation: index,
      user: index,
      admin: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('disconnect' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reconnect' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('process' as const) }) },
);

const pick = <T>(items: readonly T[], i: number): T | undefined =>
  items.length === 0 ? undefined : items[i % items.length];

describe('the sync property', () => {
  it('gives a client that disconnects at random points and syncs exactly the state the HTTP API shows', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 15, maxLength: 30 }),
        fc.integer({ min: 2, max: 7 }),
        async (operations, pageSize) => {
          run += 1;
          // The observed user (0) and three others; the owner (1) of every group can do anything in it.
          const people: SignedInUser[] = await users(4);
          const [me, owner] = people as [SignedInUser, SignedInUser];
          const groups = [
            await group(owner, people.slice(2), `Group ${run}a`),
            await group(owner, [me, ...people.slice(2)], `Group ${run}b`),
          ];
          await call(me, 'POST', '/conversations', { type: 'direct', userId: owner.id });
          const messages: { conversationId: string; id: string; sender: SignedInUser }[] = [];
          const client = new SyncClient(api, me, pageSize);
          clients.push(client);
          await client.start();
          await client.connect(api.wsUrl);

          for (const op of operations) {
            // Failures the API reports (a non-member sending, a message already deleted) are part of the
            // game: they change nothing, and the comparison at the end still holds.
            switch (op.kind) {
              case 'send': {
                const actor = pick(people, op.actor) as SignedInUser;
                const conversationId = pick(groups, op.conversation) as string;
                const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
                  token: actor.token,
                  body: { content: { type: 'text', text: `m${messages.length}` } },
                });
                if (response.status === 201)
                  messages.push({ conversationId, id: response.body.id, sender: actor });
                break;
              }
              case 'edit': {
                const message = pick(messages, op.message);
                if (message) {
                  await api.request(
                    'PATCH',
                    `/conversations/${message.conversationId}/messages/${message.id}`,
                    {
                      token: message.sender.token,
                      body: { text: `edited ${op.message}` },
                    },
                  );
                }
                break;
              }
              case 'delete': {
                const message = pick(messages, op.message);
                if (message) {
                  await api.request(
                    'DELETE',
                    `/conversations/${message.conversationId}/messages/${message.id}`,
                    {
                      token: op.byOwner ? owner.token : message.sender.token,
                    },
                  );
                }
                break;
              }
              case 'read': {
                const actor = pick(people, op.actor) as SignedInUser;
                const conversationId = pick(groups, op.conversation) as string;
                const message = pick(
                  messages.filter((m) => m.conversationId === conversationId),
                  op.actor,
                );
                if (message) {
                  await api.request('POST', `/conversations/${conversationId}/read`, {
                    token: actor.token,
                    body: { messageId: message.id },
                  });
                }
                break;
              }
              case 'react': {
                // Reactions by anyone (the observed user's own show as `me`), added or removed, on any
                // message: a non-member's or a deleted message's are refused and change nothing.
                const actor = pick(people, op.actor) as SignedInUser;
                const message = pick(messages, op.message);
                const emoji = encodeURIComponent(['👍', '🎉', '❤️'][op.emoji] as string);
                if (message) {
                  await api.request(
                    op.remove ? 'DELETE' : 'PUT',
                    `/conversations/${message.conversationId}/messages/${message.id}/reactions/${emoji}`,
                    { token: actor.token },
                  );
                }
                break;
              }
              case 'add': {
                const conversationId = pick(groups, op.conversation) as string;
                const user = pick(people, op.user) as SignedInUser;
                await api.request('POST', `/conversations/${conversationId}/members`, {
                  token: owner.token,
                  body: { userIds: [user.id] },
                });
                break;
              }
              case 'remove': {
                const conversationId = pick(groups, op.conversation) as string;
                const user = pick(people, op.user) as SignedInUser;
                if (user !== owner) {
                  await api.request('DELETE', `/conversations/${conversationId}/members/${user.id}`, {
                    token: owner.token,
                  });
                }
                break;
              }
              case 'rename': {
                const conversationId = pick(groups, op.conversation) as string;
                await api.request('PATCH', `/conversations/${conversationId}`, {
                  token: owner.token,
                  body: { name: `Renamed ${op.conversation}` },
                });
                break;
              }
              case 'role': {
                const conversationId = pick(groups, op.conversation) as string;
                const user = pick(people, op.user) as SignedInUser;
                if (user !== owner) {
                  await api.request('PATCH', `/conversations/${conversationId}/members/${user.id}`, {
                    token: owner.token,
                    body: { role: op.admin ? 'admin' : 'member' },
                  });
                }
                break;
              }
              case 'disconnect':
                await client.processSocket();
                await client.disconnect();
                break;
              case 'reconnect':
                if (!client.socket) await client.connect(api.wsUrl);
                break;
              case 'process':
                await client.processSocket();
                break;
            }
          }

          await api.drainStreams();
          await client.processSocket();
          await client.sync();
          await client.disconnect();
          expect(client.strays).toEqual([]);
          expect(client.state).toEqual(await apiState(api, me));
          // Cursors only move forward, one position at a time.
          const seqs = client.applied.map((event) => event.seq);
          expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
        },
      ),
      { numRuns: 6, endOnFailure: true },
    );
  }, 300_000);
});
