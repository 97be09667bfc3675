/**
 * Blocking, end to end against the local stack: what a blocked user can no longer do (message the blocker,
 * start a chat with them, add them to groups), what the blocker no longer gets from them in shared groups
 * (events over real sockets, unread counts), and that lifting the block restores all of it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../functions/shared/schemas/realtime';
import { makeContacts, type SignedInUser, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();
const { users, call, group, send } = conversationHelpers(api);

const opened: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
});
async function online(user: SignedInUser): Promise<TestSocket> {
  const socket = await connect(api.wsUrl, user.token, 'query');
  opened.push(socket);
  return socket;
}

const CANNOT_MESSAGE = 'urn:chat-backend:problem:cannot-message-user';

const blockUser = (blocker: SignedInUser, userId: string) =>
  api.request('PUT', `/users/me/blocks/${encodeURIComponent(userId)}`, { token: blocker.token });
const unblockUser = (blocker: SignedInUser, userId: string) =>
  api.request('DELETE', `/users/me/blocks/${encodeURIComponent(userId)}`, { token: blocker.token });
const startDirect = (caller: SignedInUser, other: SignedInUser) =>
  api.request('POST', '/conversations', { token: caller.token, body: { type: 'direct', userId: other.id } });
const sendText = (user: SignedInUser, conversationId: string, text = 'hi') =>
  api.request('POST', `/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { content: { type: 'text', text } },
  });

function expectCannotMessage(response: { status: number; headers: Headers; body: any }) {
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body.type).toBe(CANNOT_MESSAGE);
  expect(response.body.title).toBe("You can't message this user");
}

const inboxEntry = async (user: SignedInUser, conversationId: string) => {
  const list = await call(user, 'GET', '/conversations?limit=100');
  return list.items.find((item: { id: string }) => item.id === conversationId);
};

describe('blocking a user', () => {
  it('lists the blocked user with their name, and blocking again changes nothing (idempotent)', async () => {
    const [alice, bob] = await users(2);

    const first = await blockUser(alice, bob.id);
    const listed = await call(alice, 'GET', '/users/me/blocks');
    const again = await blockUser(alice, bob.id);
    const relisted = await call(alice, 'GET', '/users/me/blocks');

    expect(first.status).toBe(204);
    expect(again.status).toBe(204);
    expect(listed.items).toEqual([
      { userId: bob.id, username: bob.username, displayName: bob.username, blockedAt: expect.any(String) },
    ]);
    expect(relisted.items).toEqual(listed.items);
    expect(listed.nextCursor).toBeNull();
  });

  it('pages the list of blocks with a cursor that only works for its owner', async () => {
    const [alice, bob, carol, dave] = await users(4);
    for (const other of [bob, carol, dave]) expect((await blockUser(alice, other.id)).status).toBe(204);

    const first = await call(alice, 'GET', '/users/me/blocks?limit=2');
    const second = await call(alice, 'GET', `/users/me/blocks?limit=2&cursor=${first.nextCursor}`);
    const foreign = await api.request('GET', `/users/me/blocks?cursor=${first.nextCursor}`, {
      token: bob.token,
    });

    const ids = [...first.items, ...second.items].map((item: { userId: string }) => item.userId);
    expect(ids).toEqual([bob.id, carol.id, dave.id].sort());
    expect(second.nextCursor).toBeNull();
    expect(foreign.status).toBe(400);
  });

  it('refuses blocking yourself, an unknown user and a malformed id with problem+json, and writes nothing', async () => {
    const [alice] = await users(1);

    const self = await blockUser(alice, alice.id);
    const unknown = await blockUser(alice, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const malformed = await blockUser(alice, 'not-a-user-id');
    const malformedDelete = await unblockUser(alice, 'x'.repeat(80));
    const badLimit = await api.request('GET', '/users/me/blocks?limit=0', { token: alice.token });

    expect(self.status).toBe(400);
    expect(self.body.errors).toEqual([{ field: '(path) userId', message: 'is your own id' }]);
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
    expect(malformedDelete.status).toBe(400);
    expect(badLimit.status).toBe(400);
    for (const response of [self, unknown, malformed, malformedDelete, badLimit]) {
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await call(alice, 'GET', '/users/me/blocks')).items).toEqual([]);
  });
});

describe('a direct conversation with a block', () => {
  it('refuses the blocked user sending into it, with only "you can\'t message this user", and the blocker too', async () => {
    const [alice, bob] = await users(2);
    const { id } = await call(bob, 'POST', '/conversations', { type: 'direct', userId: alice.id });
    await send(bob, id, 'before the block');

    await blockUser(alice, bob.id);
    const fromBlocked = await sendText(bob, id, 'after the block');
    const fromBlocker = await sendText(alice, id, 'from the blocker');

    expectCannotMessage(fromBlocked);
    expect(fromBlocked.body.detail).toBe("You can't message this user.");
    expect(JSON.stringify(fromBlocked.body)).not.toContain(alice.id);
    expectCannotMessage(fromBlocker);
    expect(fromBlocker.body.detail).toContain('You blocked this user');
    // The history stays, for both: nothing was sent after the block.
    const history = await call(bob, 'GET', `/conversations/${id}/messages`);
    expect(history.items.map((message: { content: { text: string } }) => message.content.text)).toEqual([
      'before the block',
    ]);
  });

  it('gives the blocked user the same 403 for starting the chat, whether or not it already exists', async () => {
    const [alice, bob, carol] = await users(3);
    await startDirect(bob, alice);
    await blockUser(alice, bob.id);
    await blockUser(alice, carol.id);

    const existing = await startDirect(bob, alice);
    const fresh = await startDirect(carol, alice);
    const legacy = await api.request('POST', '/messages', {
      token: carol.token,
      body: { recipient: alice.id, content: { type: 'string', text: 'hello' } },
    });

    expectCannotMessage(existing);
    expectCannotMessage(fresh);
    expectCannotMessage(legacy);
    expect(existing.body.detail).toBe(fresh.body.detail);
    // Nothing was created for carol.
    expect((await call(carol, 'GET', '/conversations')).items).toEqual([]);
  });

  it('lets both write again once the block is lifted (the chat started before or after it)', async () => {
    const [alice, bob, carol] = await users(3);
    const { id } = await call(bob, 'POST', '/conversations', { type: 'direct', userId: alice.id });
    await blockUser(alice, bob.id);
    await blockUser(alice, carol.id);
    expectCannotMessage(await sendText(bob, id));

    expect((await unblockUser(alice, bob.id)).status).toBe(204);
    expect((await unblockUser(alice, carol.id)).status).toBe(204);
    expect((await unblockUser(alice, carol.id)).status).toBe(204);

    expect((await sendText(bob, id, 'back')).status).toBe(201);
    expect((await sendText(alice, id, 'welcome back')).status).toBe(201);
    expect((await startDirect(carol, alice)).status).toBe(201);
    expect((await call(alice, 'GET', '/users/me/blocks')).items).toEqual([]);
  });

  it('keeps the chat closed while either of two mutual blocks stands', async () => {
    const [alice, bob] = await users(2);
    const { id } = await call(bob, 'POST', '/conversations', { type: 'direct', userId: alice.id });
    await blockUser(alice, bob.id);
    await blockUser(bob, alice.id);

    await unblockUser(alice, bob.id);

    expectCannotMessage(await sendText(alice, id));
    await unblockUser(bob, alice.id);
    expect((await sendText(alice, id)).status).toBe(201);
  });

  it("does not change the blocked user's other conversations or the blocker's notes to self", async () => {
    const [alice, bob, carol] = await users(3);
    const { id: bobCarol } = await call(bob, 'POST', '/conversations', { type: 'direct', userId: carol.id });
    const { id: notes } = await call(alice, 'POST', '/conversations', { type: 'direct', userId: alice.id });

    await blockUser(alice, bob.id);

    expect((await sendText(bob, bobCarol)).status).toBe(201);
    expect((await sendText(alice, notes)).status).toBe(201);
  });
});

describe('groups and a block', () => {
  it('refuses the blocked user adding the blocker to a group, new or existing, with the same 403', async () => {
    const [alice, bob, carol] = await users(3);
    await makeContacts(api, bob, alice, carol);
    const groupId = await group(bob, [carol]);
    await blockUser(alice, bob.id);

    const added = await api.request('POST', `/conversations/${groupId}/members`, {
      token: bob.token,
      body: { userIds: [alice.id] },
    });
    const created = await api.request('POST', '/conversations', {
      token: bob.token,
      body: { type: 'group', name: 'With alice', memberIds: [carol.id, alice.id] },
    });

    expectCannotMessage(added);
    expect(added.body.errors).toEqual([{ field: 'userIds.0', message: "you can't message this user" }]);
    expectCannotMessage(created);
    expect(created.body.errors).toEqual([{ field: 'memberIds.1', message: "you can't message this user" }]);
    const details = await call(bob, 'GET', `/conversations/${groupId}`);
    expect(details.members.map((member: { userId: string }) => member.userId)).not.toContain(alice.id);
  });

  it('still lets the blocker add the blocked user (blocking is one-directional)', async () => {
    const [alice, bob] = await users(2);
    await makeContacts(api, alice, bob);
    await blockUser(alice, bob.id);

    const created = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'group', name: 'Mine', memberIds: [bob.id] },
    });

    expect(created.status).toBe(201);
  });

  it("sends the blocker no events and no unread counts from the blocked user, keeps their messages in the history, and everyone else's as before", async () => {
    const [alice, bob, carol, dave] = await users(4);
    await makeContacts(api, carol, alice, bob, dave);
    const groupId = await group(carol, [alice, bob, dave]);
    await blockUser(alice, bob.id);
    const [aliceSocket, carolSocket] = await Promise.all([online(alice), online(carol)]);

    const fromBob = await send(bob, groupId, 'from the blocked user');
    await call(
      bob,
      'PUT',
      `/conversations/${groupId}/messages/${fromBob}/reactions/${encodeURIComponent('👍')}`,
    );
    aliceSocket.send({ action: 'typing', conversationId: groupId });
    const bobSocket = await online(bob);
    bobSocket.send({ action: 'typing', conversationId: groupId });
    await carolSocket.waitFor((event) => event.type === 'typing' && event.userId === bob.id);
    await carolSocket.waitFor((event) => event.type === 'reaction.added');
    await send(carol, groupId, 'from carol');
    await aliceSocket.waitFor(
      (event) => event.type === 'message.created' && event.message.senderId === carol.id,
    );
    await api.drainStreams();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const fromBobEvents = (event: RealtimeEvent) =>
      ('message' in event && typeof event.message === 'object' && event.message?.senderId === bob.id) ||
      ('userId' in event && event.userId === bob.id && event.type !== 'member.added');
    expect(aliceSocket.events.filter(fromBobEvents)).toEqual([]);
    expect(
      carolSocket.events.some((event) => event.type === 'message.created' && event.message.id === fromBob),
    ).toBe(true);
    // Not in alice's stream of changes either.
    const sync = await call(alice, 'GET', '/sync');
    const since = await call(alice, 'GET', `/sync?since=${encodeURIComponent(sync.nextCursor)}`);
    expect(since.events.filter(fromBobEvents)).toEqual([]);
    // Alice counts carol's message only; dave, who blocked nobody, both.
    expect((await inboxEntry(alice, groupId)).unreadCount).toBe(1);
    expect((await inboxEntry(dave, groupId)).unreadCount).toBe(2);
    const history = await call(alice, 'GET', `/conversations/${groupId}/messages`);
    expect(history.items.map((message: { id: string }) => message.id)).toContain(fromBob);
  });

  it('leaves messages of blocked users out of an unread recount, and counts them again once unblocked', async () => {
    const [alice, bob, carol] = await users(3);
    await makeContacts(api, carol, alice, bob);
    const groupId = await group(carol, [alice, bob]);
    await blockUser(alice, bob.id);

    const first = await send(carol, groupId, 'one');
    await send(bob, groupId, 'blocked two');
    await send(carol, groupId, 'three');
    await api.drainStreams();
    await call(alice, 'POST', `/conversations/${groupId}/read`, { messageId: first });
    await api.drainStreams();
    expect((await inboxEntry(alice, groupId)).unreadCount).toBe(1);

    await unblockUser(alice, bob.id);
    const aliceSocket = await online(alice);
    await send(bob, groupId, 'unblocked');
    await aliceSocket.waitFor(
      (event) => event.type === 'message.created' && event.message.senderId === bob.id,
    );
    await api.drainStreams();
    expect((await inboxEntry(alice, groupId)).unreadCount).toBe(2);
  });
});
