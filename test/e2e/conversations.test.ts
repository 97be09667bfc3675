/**
 * Conversations through the local HTTP gateway: one direct conversation per pair (also under races), the
 * caller's conversation list (order, previews, unread counts, rosters, paging), details, and the same 404
 * for non-members as for ids that do not exist.
 */
import { describe, expect, it } from 'vitest';
import { type ApiResponse, makeContacts, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** A tuple of exactly N users, so destructured users are never possibly undefined. */
type Users<N extends number, T extends SignedInUser[] = []> = T['length'] extends N
  ? T
  : Users<N, [...T, SignedInUser]>;

async function signUpMany<N extends number>(count: N): Promise<Users<N>> {
  return (await Promise.all(Array.from({ length: count }, () => signUpAndLogin(api)))) as Users<N>;
}

function startDirect(caller: SignedInUser, otherId: string) {
  return api.request('POST', '/conversations', {
    token: caller.token,
    body: { type: 'direct', userId: otherId },
  });
}

async function createGroup(owner: SignedInUser, members: SignedInUser[], name = 'A group') {
  await makeContacts(api, owner, ...members);
  const response = await api.request('POST', '/conversations', {
    token: owner.token,
    body: { type: 'group', name, memberIds: members.map((member) => member.id) },
  });
  if (response.status !== 201) throw new Error(`group failed: ${response.status} ${response.text}`);
  return response.body.id as string;
}

async function send(user: SignedInUser, conversationId: string, text: string) {
  const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { content: { type: 'text', text } },
  });
  if (response.status !== 201) throw new Error(`send failed: ${response.status} ${response.text}`);
  return response.body as { id: string };
}

async function listAll(user: SignedInUser) {
  const response = await api.request('GET', '/conversations?limit=100', { token: user.token });
  expect(response.status).toBe(200);
  return response.body.items as any[];
}

describe('direct conversations', () => {
  it('creates the conversation with 201 the first time, with both users as members', async () => {
    const [alice, bob] = await signUpMany(2);

    const response = await startDirect(alice, bob.id);

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/conversations/${response.body.id}`);
    expect(response.body).toMatchObject({
      id: expect.any(String),
      type: 'direct',
      name: null,
      createdBy: alice.id,
      memberCount: 2,
      lastMessage: null,
      myRole: 'member',
    });
    const members = response.body.members.map((member: any) => ({
      userId: member.userId,
      role: member.role,
      username: member.username,
    }));
    expect(members).toEqual(
      expect.arrayContaining([
        { userId: alice.id, role: 'member', username: alice.username },
        { userId: bob.id, role: 'member', username: bob.username },
      ]),
    );
    expect(members).toHaveLength(2);
  });

  it('returns the same conversation with 200 afterwards, whichever of the two asks', async () => {
    const [alice, bob] = await signUpMany(2);
    const first = await startDirect(alice, bob.id);

    const fromBob = await startDirect(bob, alice.id);
    const fromAliceAgain = await startDirect(alice, bob.id);

    expect([first.status, fromBob.status, fromAliceAgain.status]).toEqual([201, 200, 200]);
    expect(fromBob.body.id).toBe(first.body.id);
    expect(fromAliceAgain.body.id).toBe(first.body.id);
    expect(fromBob.body.myRole).toBe('member');
    expect(await listAll(bob)).toHaveLength(1);
  });

  it('keeps a separate conversation for each pair', async () => {
    const [alice, bob, carol] = await signUpMany(3);

    const withBob = await startDirect(alice, bob.id);
    const withCarol = await startDirect(alice, carol.id);
    const bobWithCarol = await startDirect(bob, carol.id);

    expect([withBob.status, withCarol.status, bobWithCarol.status]).toEqual([201, 201, 201]);
    expect(new Set([withBob.body.id, withCarol.body.id, bobWithCarol.body.id]).size).toBe(3);
  });

  it('creates exactly one conversation when both users ask at the same moment (five pairs)', async () => {
    const users = await signUpMany(10);
    const pairs = [0, 2, 4, 6, 8].map((i) => [users[i], users[i + 1]] as [SignedInUser, SignedInUser]);

    const results = await Promise.all(
      pairs.map(([a, b]) => Promise.all([startDirect(a, b.id), startDirect(b, a.id)])),
    );

    for (const [index, [fromA, fromB]] of results.entries()) {
      const [a] = pairs[index] as [SignedInUser, SignedInUser];
      expect([fromA.status, fromB.status].sort()).toEqual([200, 201]);
      expect(fromA.body.id).toBe(fromB.body.id);
      const details = await api.request('GET', `/conversations/${fromA.body.id}`, { token: a.token });
      expect(details.body.memberCount).toBe(2);
      expect(details.body.members).toHaveLength(2);
    }
  });

  it('answers 404 naming userId for an unknown user, and creates nothing', async () => {
    const [alice] = await signUpMany(1);

    const response = await startDirect(alice, UNKNOWN_ID);

    expectProblem(response, 404, 'userId');
    expect(await listAll(alice)).toEqual([]);
  });
});

describe('listing conversations', () => {
  it("lists the caller's conversations, most recent activity first, with previews and the caller's unread counts", async () => {
    const [alice, bob, carol, dave] = await signUpMany(4);
    const quiet = (await startDirect(alice, dave.id)).body.id as string;
    const withBob = (await startDirect(alice, bob.id)).body.id as string;
    const withCarol = (await startDirect(carol, alice.id)).body.id as string;
    const group = await createGroup(alice, [bob, carol], 'Friends');
    await send(bob, withBob, 'hi from Bob');
    await send(alice, group, 'hello group');
    await send(carol, withCarol, 'first from Carol');
    const latest = await send(carol, withCarol, 'second from Carol');
    await api.drainStreams();

    const items = await listAll(alice);

    expect(items.map((item) => item.id)).toEqual([withCarol, group, withBob, quiet]);
    expect(items[0]).toMatchObject({
      type: 'direct',
      myRole: 'member',
      unreadCount: 2,
      lastMessage: { id: latest.id, senderId: carol.id, type: 'text', preview: 'second from Carol' },
    });
    expect(items[1]).toMatchObject({
      type: 'group',
      name: 'Friends',
      myRole: 'owner',
      memberCount: 3,
      unreadCount: 0,
      lastMessage: { senderId: alice.id, preview: 'hello group' },
    });
    expect(items[2]).toMatchObject({ unreadCount: 1, lastMessage: { preview: 'hi from Bob' } });
    expect(items[3]).toMatchObject({ unreadCount: 0, lastMessage: null });
    expect(items[1].members).toEqual(
      expect.arrayContaining([
        { userId: alice.id, role: 'owner' },
        { userId: bob.id, role: 'member' },
        { userId: carol.id, role: 'member' },
      ]),
    );
  });

  it("moves a conversation to the top of another member's list when a message arrives", async () => {
    const [alice, bob, carol] = await signUpMany(3);
    const older = (await startDirect(alice, bob.id)).body.id as string;
    const newer = (await startDirect(alice, carol.id)).body.id as string;
    await api.drainStreams();
    const before = (await listAll(alice)).map((item) => item.id);

    await send(bob, older, 'bump');
    await api.drainStreams();

    expect(before).toEqual([newer, older]);
    expect((await listAll(alice)).map((item) => item.id)).toEqual([older, newer]);
  });

  it('shows the members of groups of up to 10 and only memberCount for larger groups', async () => {
    const [owner, ...others] = await signUpMany(11);
    const small = await createGroup(owner, others.slice(0, 9), 'Ten people');
    const large = await createGroup(owner, others, 'Eleven people');

    const items = await listAll(owner);

    const smallItem = items.find((item) => item.id === small);
    const largeItem = items.find((item) => item.id === large);
    expect(smallItem.memberCount).toBe(10);
    expect(smallItem.members).toHaveLength(10);
    expect(largeItem.memberCount).toBe(11);
    expect(largeItem.members).toBeUndefined();
    const details = await api.request('GET', `/conversations/${large}`, { token: owner.token });
    expect(details.body.members).toHaveLength(11);
  });

  it('visits each of 5 conversations exactly once when paging with limit=2', async () => {
    const [alice] = await signUpMany(1);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(await createGroup(alice, [], `Group ${i}`));

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await api.request('GET', `/conversations${query}`, { token: alice.token });
      expect(page.status).toBe(200);
      pages.push(page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor && pages.length < 10);

    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...created].reverse());
  });

  it('answers 400 naming the cursor for a cursor taken from another user', async () => {
    const [alice, bob] = await signUpMany(2);
    await createGroup(bob, [], 'one');
    await createGroup(bob, [], 'two');
    await createGroup(alice, [], 'alice only');
    const bobsPage = await api.request('GET', '/conversations?limit=1', { token: bob.token });

    const response = await api.request(
      'GET',
      `/conversations?limit=1&cursor=${encodeURIComponent(bobsPage.body.nextCursor)}`,
      { token: alice.token },
    );

    expect(bobsPage.body.nextCursor).toEqual(expect.any(String));
    expectProblem(response, 400, '(query) cursor');
    expect(response.body.items).toBeUndefined();
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['random base64', Buffer.from('{"v":2,"x":1}').toString('base64url')],
  ])('answers 400 naming the cursor for a %s cursor', async (_name, cursor) => {
    const [alice] = await signUpMany(1);

    const response = await api.request('GET', `/conversations?cursor=${encodeURIComponent(cursor)}`, {
      token: alice.token,
    });

    expectProblem(response, 400, '(query) cursor');
  });

  it.each(['0', '101', 'ten'])('answers 400 naming limit for limit=%s', async (limit) => {
    const [alice] = await signUpMany(1);

    const response = await api.request('GET', `/conversations?limit=${limit}`, { token: alice.token });

    expectProblem(response, 400, '(query) limit');
  });

  it('answers 401 without a token', async () => {
    const response = await api.request('GET', '/conversations');

    expectProblem(response, 401);
  });
});

describe('conversation details', () => {
  it('shows the conversation with each member, their role and read marker', async () => {
    const [owner, bob, carol] = await signUpMany(3);
    const id = await createGroup(owner, [bob, carol], 'Details');
    const message = await send(bob, id, 'read me');
    await api.request('POST', `/conversations/${id}/read`, {
      token: carol.token,
      body: { messageId: message.id },
    });
    // The preview (lastMessage) is written by the stream consumer.
    await api.drainStreams();

    const response = await api.request('GET', `/conversations/${id}`, { token: carol.token });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id,
      type: 'group',
      name: 'Details',
      createdBy: owner.id,
      memberCount: 3,
      myRole: 'member',
      lastMessage: { id: message.id, senderId: bob.id, preview: 'read me' },
    });
    const byUser = Object.fromEntries(response.body.members.map((member: any) => [member.userId, member]));
    expect(byUser[owner.id]).toMatchObject({
      role: 'owner',
      username: owner.username,
      lastReadMessageId: null,
    });
    expect(byUser[bob.id]).toMatchObject({ role: 'member', lastReadMessageId: message.id });
    expect(byUser[carol.id]).toMatchObject({
      role: 'member',
      lastReadMessageId: message.id,
      lastReadAt: expect.any(String),
      joinedAt: expect.any(String),
    });
  });
});

describe('non-members', () => {
  /** The problem body with the conversation id taken out, so a real and a random id can be compared. */
  function shape(response: ApiResponse, conversationId: string) {
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: { ...response.body, detail: String(response.body.detail).replaceAll(conversationId, '<id>') },
    };
  }

  it('get the same 404 for every operation on a conversation they are not in as for an id that does not exist', async () => {
    const [alice, bob, outsider] = await signUpMany(3);
    const id = await createGroup(alice, [bob], 'Private');
    const message = await send(alice, id, 'private words');
    const operations: [string, (conversationId: string) => string, unknown][] = [
      ['GET', (c) => `/conversations/${c}`, undefined],
      ['GET', (c) => `/conversations/${c}/messages`, undefined],
      ['POST', (c) => `/conversations/${c}/messages`, { content: { type: 'text', text: 'let me in' } }],
      ['PATCH', (c) => `/conversations/${c}/messages/${message.id}`, { text: 'edited by a stranger' }],
      ['DELETE', (c) => `/conversations/${c}/messages/${message.id}`, undefined],
      ['POST', (c) => `/conversations/${c}/read`, { messageId: message.id }],
      ['PATCH', (c) => `/conversations/${c}`, { name: 'Taken over' }],
      ['POST', (c) => `/conversations/${c}/members`, { userIds: [outsider.id] }],
      ['DELETE', (c) => `/conversations/${c}/members/${bob.id}`, undefined],
      ['PATCH', (c) => `/conversations/${c}/members/${bob.id}`, { role: 'admin' }],
    ];

    for (const [method, path, body] of operations) {
      const options = { token: outsider.token, ...(body === undefined ? {} : { body }) };
      const real = await api.request(method, path(id), options);
      const random = await api.request(method, path(UNKNOWN_ID), options);

      expectProblem(real, 404);
      expect(shape(real, id), `${method} ${path('{id}')}`).toEqual(shape(random, UNKNOWN_ID));
      expect(real.text).not.toContain('private words');
    }
    const details = await api.request('GET', `/conversations/${id}`, { token: alice.token });
    expect(details.body).toMatchObject({ name: 'Private', memberCount: 2 });
    const history = await api.request('GET', `/conversations/${id}/messages`, { token: bob.token });
    expect(history.body.items).toEqual([
      expect.objectContaining({ id: message.id, content: { type: 'text', text: 'private words' } }),
    ]);
    expect(await listAll(outsider)).toEqual([]);
  });

  it('cannot reach a direct conversation of two other people', async () => {
    const [alice, bob, outsider] = await signUpMany(3);
    const id = (await startDirect(alice, bob.id)).body.id as string;
    await send(alice, id, 'just us');

    const details = await api.request('GET', `/conversations/${id}`, { token: outsider.token });
    const history = await api.request('GET', `/conversations/${id}/messages`, { token: outsider.token });
    const sent = await api.request('POST', `/conversations/${id}/messages`, {
      token: outsider.token,
      body: { content: { type: 'text', text: 'hello?' } },
    });

    expectProblem(details, 404);
    expectProblem(history, 404);
    expectProblem(sent, 404);
    const seen = await api.request('GET', `/conversations/${id}/messages`, { token: bob.token });
    expect(seen.body.items).toHaveLength(1);
  });
});
