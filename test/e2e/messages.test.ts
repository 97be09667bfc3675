/**
 * Messages through the local HTTP gateway: sending (ids, sender, idempotent retries), editing, deleting,
 * read markers with unread counts, and many members sending to one conversation at once.
 */
import { describe, expect, it } from 'vitest';
import { directConversation, makeContacts, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A tuple of exactly N users, so destructured users are never possibly undefined. */
type Users<N extends number, T extends SignedInUser[] = []> = T['length'] extends N
  ? T
  : Users<N, [...T, SignedInUser]>;

async function signUpMany<N extends number>(count: N): Promise<Users<N>> {
  return (await Promise.all(Array.from({ length: count }, () => signUpAndLogin(api)))) as Users<N>;
}

async function groupConversation(owner: SignedInUser, members: SignedInUser[]): Promise<string> {
  await makeContacts(api, owner, ...members);
  const response = await api.request('POST', '/conversations', {
    token: owner.token,
    body: { type: 'group', name: 'Test group', memberIds: members.map((member) => member.id) },
  });
  if (response.status !== 201) throw new Error(`group failed: ${response.status} ${response.text}`);
  return response.body.id;
}

function sendText(user: SignedInUser, conversationId: string, text: string, clientMessageId?: string) {
  return api.request('POST', `/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { content: { type: 'text', text }, ...(clientMessageId ? { clientMessageId } : {}) },
  });
}

async function sent(user: SignedInUser, conversationId: string, text: string) {
  const response = await sendText(user, conversationId, text);
  if (response.status !== 201) throw new Error(`send failed: ${response.status} ${response.text}`);
  return response.body as { id: string; text: string };
}

/** Every message of a conversation, following nextCursor to the end, newest first. */
async function wholeHistory(user: SignedInUser, conversationId: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const page = await api.request('GET', `/conversations/${conversationId}/messages${query}`, {
      token: user.token,
    });
    if (page.status !== 200) throw new Error(`history failed: ${page.status} ${page.text}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

async function inboxEntry(user: SignedInUser, conversationId: string) {
  const list = await api.request('GET', '/conversations?limit=100', { token: user.token });
  expect(list.status).toBe(200);
  return list.body.items.find((item: { id: string }) => item.id === conversationId);
}

const byIdDescending = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

describe('sending a message', () => {
  it('answers 201 with the message: a ULID id, the conversation, the caller as sender, the content and a timestamp', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const before = Date.now();

    const response = await sendText(alice, conversationId, 'hello Bob');

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: expect.stringMatching(ULID),
      conversationId,
      senderId: alice.id,
      content: { type: 'text', text: 'hello Bob' },
      createdAt: expect.any(String),
      mentionedUserIds: [],
      reactions: [],
    });
    expect(Date.parse(response.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    const history = await api.request('GET', `/conversations/${conversationId}/messages`, {
      token: bob.token,
    });
    expect(history.body.items).toEqual([response.body]);
  });

  it('accepts the older content type "string" and stores it as text', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'string', text: 'old style' } },
    });

    expect(response.status).toBe(201);
    expect(response.body.content).toEqual({ type: 'text', text: 'old style' });
    const history = await api.request('GET', `/conversations/${conversationId}/messages`, {
      token: bob.token,
    });
    expect(history.body.items[0].content).toEqual({ type: 'text', text: 'old style' });
  });

  it('rejects a senderId in the body as an unknown field and stores nothing', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'text', text: 'from Bob, honestly' }, senderId: bob.id },
    });

    expectProblem(response, 400, 'senderId');
    const history = await api.request('GET', `/conversations/${conversationId}/messages`, {
      token: bob.token,
    });
    expect(history.body.items).toEqual([]);
  });

  it("records the token's user as sender for each member of a conversation", async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const fromAlice = await sendText(alice, conversationId, 'one');
    const fromBob = await sendText(bob, conversationId, 'two');

    expect(fromAlice.body.senderId).toBe(alice.id);
    expect(fromBob.body.senderId).toBe(bob.id);
  });

  it('gives distinct ULIDs to many messages sent at the same moment, and history lists them in one stable id order', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => sendText(i % 2 ? bob : alice, conversationId, `burst ${i}`)),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(30).fill(201));
    const ids = responses.map((response) => response.body.id as string);
    for (const id of ids) expect(id).toMatch(ULID);
    expect(new Set(ids).size).toBe(30);
    const first = await wholeHistory(alice, conversationId);
    const second = await wholeHistory(bob, conversationId);
    const historyIds = first.map((message) => message.id);
    expect(historyIds).toEqual([...ids].sort(byIdDescending));
    expect(second.map((message) => message.id)).toEqual(historyIds);
  });
});

describe('idempotent sends with clientMessageId', () => {
  it('returns the original message with 200 when the same sender retries the same clientMessageId', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const first = await sendText(alice, conversationId, 'only once', 'client-1');
    const retry = await sendText(alice, conversationId, 'only once', 'client-1');

    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(await wholeHistory(bob, conversationId)).toHaveLength(1);
  });

  it('returns the original content when a retry with the same clientMessageId carries other text', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const first = await sendText(alice, conversationId, 'the original', 'client-2');

    const retry = await sendText(alice, conversationId, 'a changed retry', 'client-2');

    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.content).toEqual({ type: 'text', text: 'the original' });
    const history = await wholeHistory(alice, conversationId);
    expect(history.map((message) => message.content.text)).toEqual(['the original']);
  });

  it('stores one message when five identical requests race: one 201, four 200, all with the same id', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => sendText(alice, conversationId, 'raced', 'client-race')),
    );

    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    const history = await wholeHistory(bob, conversationId);
    expect(history).toHaveLength(1);
    expect(history[0].id).toBe(responses[0]?.body.id);
  });

  it('keeps separate messages for different senders using the same clientMessageId', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const fromAlice = await sendText(alice, conversationId, 'from Alice', 'same-id');
    const fromBob = await sendText(bob, conversationId, 'from Bob', 'same-id');

    expect([fromAlice.status, fromBob.status]).toEqual([201, 201]);
    expect(fromAlice.body.id).not.toBe(fromBob.body.id);
    expect(fromBob.body).toMatchObject({ senderId: bob.id, content: { text: 'from Bob' } });
    expect(await wholeHistory(alice, conversationId)).toHaveLength(2);
  });

  it('keeps separate messages for one sender using the same clientMessageId in two conversations', async () => {
    const [alice, bob, carol] = await signUpMany(3);
    const withBob = await directConversation(api, alice, bob);
    const withCarol = await directConversation(api, alice, carol);

    const toBob = await sendText(alice, withBob, 'to Bob', 'shared-id');
    const toCarol = await sendText(alice, withCarol, 'to Carol', 'shared-id');

    expect([toBob.status, toCarol.status]).toEqual([201, 201]);
    expect(toCarol.body).toMatchObject({ conversationId: withCarol, content: { text: 'to Carol' } });
    expect(toCarol.body.id).not.toBe(toBob.body.id);
  });
});

describe('editing a message', () => {
  it("lets the sender change the text, records editedAt, and shows the edit in everyone's history", async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const message = await sent(alice, conversationId, 'typo heer');

    const response = await api.request('PATCH', `/conversations/${conversationId}/messages/${message.id}`, {
      token: alice.token,
      body: { text: 'typo here' },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: message.id,
      senderId: alice.id,
      content: { type: 'text', text: 'typo here' },
      editedAt: expect.any(String),
    });
    const history = await wholeHistory(bob, conversationId);
    expect(history).toEqual([
      expect.objectContaining({
        id: message.id,
        content: { type: 'text', text: 'typo here' },
        editedAt: response.body.editedAt,
      }),
    ]);
  });

  it("answers 403 when another member edits someone's message, and leaves it unchanged", async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await groupConversation(alice, [bob]);
    const message = await sent(bob, conversationId, "Bob's words");

    const response = await api.request('PATCH', `/conversations/${conversationId}/messages/${message.id}`, {
      token: alice.token,
      body: { text: 'words put in his mouth' },
    });

    expectProblem(response, 403);
    const history = await wholeHistory(bob, conversationId);
    expect(history[0]).toMatchObject({ content: { text: "Bob's words" } });
    expect(history[0].editedAt).toBeUndefined();
  });

  it('answers 409 for editing a deleted message', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const message = await sent(alice, conversationId, 'soon gone');
    await api.request('DELETE', `/conversations/${conversationId}/messages/${message.id}`, {
      token: alice.token,
    });

    const response = await api.request('PATCH', `/conversations/${conversationId}/messages/${message.id}`, {
      token: alice.token,
      body: { text: 'back again' },
    });

    expectProblem(response, 409);
    const history = await wholeHistory(alice, conversationId);
    expect(history[0].content).toBeNull();
  });

  it('answers 404 for a message id that is not in the conversation', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);

    const response = await api.request(
      'PATCH',
      `/conversations/${conversationId}/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV`,
      { token: alice.token, body: { text: 'nothing to edit' } },
    );

    expectProblem(response, 404);
  });
});

describe('deleting a message', () => {
  it('lets the sender delete, leaving a tombstone (content null, deletedAt set) in history', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const kept = await sent(alice, conversationId, 'kept');
    const removed = await sent(alice, conversationId, 'regretted');

    const response = await api.request('DELETE', `/conversations/${conversationId}/messages/${removed.id}`, {
      token: alice.token,
    });

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const history = await wholeHistory(bob, conversationId);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ id: removed.id, senderId: alice.id, content: null });
    expect(Date.parse(history[0].deletedAt)).not.toBeNaN();
    expect(history[1]).toMatchObject({ id: kept.id, content: { text: 'kept' } });
    expect(history[1].deletedAt).toBeUndefined();
  });

  it('answers 204 again for deleting an already deleted message', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const message = await sent(alice, conversationId, 'twice');
    const path = `/conversations/${conversationId}/messages/${message.id}`;
    const first = await api.request('DELETE', path, { token: alice.token });

    const second = await api.request('DELETE', path, { token: alice.token });

    expect([first.status, second.status]).toEqual([204, 204]);
    expect((await wholeHistory(alice, conversationId))[0].content).toBeNull();
  });

  it("lets a group's owner and admins delete other members' messages", async () => {
    const [owner, admin, member] = await signUpMany(3);
    const conversationId = await groupConversation(owner, [admin, member]);
    await api.request('PATCH', `/conversations/${conversationId}/members/${admin.id}`, {
      token: owner.token,
      body: { role: 'admin' },
    });
    const first = await sent(member, conversationId, 'spam one');
    const second = await sent(member, conversationId, 'spam two');

    const byOwner = await api.request('DELETE', `/conversations/${conversationId}/messages/${first.id}`, {
      token: owner.token,
    });
    const byAdmin = await api.request('DELETE', `/conversations/${conversationId}/messages/${second.id}`, {
      token: admin.token,
    });

    expect([byOwner.status, byAdmin.status]).toEqual([204, 204]);
    const history = await wholeHistory(member, conversationId);
    expect(history.map((message) => message.content)).toEqual([null, null]);
  });

  it("answers 403 when a plain group member deletes another member's message, and keeps it", async () => {
    const [owner, member, other] = await signUpMany(3);
    const conversationId = await groupConversation(owner, [member, other]);
    const message = await sent(other, conversationId, 'mine, not yours');

    const response = await api.request('DELETE', `/conversations/${conversationId}/messages/${message.id}`, {
      token: member.token,
    });

    expectProblem(response, 403);
    expect((await wholeHistory(owner, conversationId))[0]).toMatchObject({
      content: { text: 'mine, not yours' },
    });
  });

  it("answers 403 when the other person in a direct conversation deletes the sender's message", async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const message = await sent(alice, conversationId, 'from Alice');

    const response = await api.request('DELETE', `/conversations/${conversationId}/messages/${message.id}`, {
      token: bob.token,
    });

    expectProblem(response, 403);
    expect((await wholeHistory(alice, conversationId))[0].content).toEqual({
      type: 'text',
      text: 'from Alice',
    });
  });

  it("shows a deleted last message as the conversation's preview without its text", async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const message = await sent(alice, conversationId, 'secret preview');

    await api.request('DELETE', `/conversations/${conversationId}/messages/${message.id}`, {
      token: alice.token,
    });
    await api.drainStreams();

    const entry = await inboxEntry(bob, conversationId);
    expect(entry.lastMessage).toMatchObject({ id: message.id, type: 'deleted', preview: '' });
    expect(JSON.stringify(entry)).not.toContain('secret preview');
  });
});

describe('read markers and unread counts', () => {
  it("follows the reader's marker: 3 unread, 1 after reading the second, 0 after reading the last", async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    await sent(alice, conversationId, 'one');
    const second = await sent(alice, conversationId, 'two');
    const third = await sent(alice, conversationId, 'three');
    await api.drainStreams();
    const unreadBefore = (await inboxEntry(bob, conversationId)).unreadCount;

    const readSecond = await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: second.id },
    });
    // Unread counts are counters the stream consumer keeps: settled once the stream is.
    await api.drainStreams();
    const unreadAfterSecond = (await inboxEntry(bob, conversationId)).unreadCount;
    const readThird = await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: third.id },
    });
    await api.drainStreams();
    const unreadAfterThird = (await inboxEntry(bob, conversationId)).unreadCount;

    expect([unreadBefore, unreadAfterSecond, unreadAfterThird]).toEqual([3, 1, 0]);
    expect(readSecond.status).toBe(200);
    expect(readSecond.body).toEqual({
      conversationId,
      userId: bob.id,
      lastReadMessageId: second.id,
      lastReadAt: expect.any(String),
    });
    expect(readThird.body.lastReadMessageId).toBe(third.id);
  });

  it("does not count the caller's own messages or deleted messages as unread", async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    await sent(bob, conversationId, 'my own words');
    await sent(alice, conversationId, 'kept');
    const removed = await sent(alice, conversationId, 'deleted');
    await api.request('DELETE', `/conversations/${conversationId}/messages/${removed.id}`, {
      token: alice.token,
    });
    await api.drainStreams();

    const entry = await inboxEntry(bob, conversationId);

    expect(entry.unreadCount).toBe(1);
    expect((await inboxEntry(alice, conversationId)).unreadCount).toBe(0);
  });

  it("shows every member's read marker to the other members in the conversation details", async () => {
    const [alice, bob, carol] = await signUpMany(3);
    const conversationId = await groupConversation(alice, [bob, carol]);
    const first = await sent(alice, conversationId, 'first');
    const second = await sent(alice, conversationId, 'second');

    await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: first.id },
    });
    await api.request('POST', `/conversations/${conversationId}/read`, {
      token: carol.token,
      body: { messageId: second.id },
    });
    const details = await api.request('GET', `/conversations/${conversationId}`, { token: bob.token });

    expect(details.status).toBe(200);
    const markers = Object.fromEntries(
      details.body.members.map((member: any) => [member.userId, member.lastReadMessageId]),
    );
    expect(markers).toEqual({ [alice.id]: second.id, [bob.id]: first.id, [carol.id]: second.id });
    const bobsMarker = details.body.members.find((member: any) => member.userId === bob.id);
    expect(Date.parse(bobsMarker.lastReadAt)).not.toBeNaN();
  });

  it('keeps the marker where it is (200) when the caller marks an older message read', async () => {
    const [alice, bob] = await signUpMany(2);
    const conversationId = await directConversation(api, alice, bob);
    const older = await sent(alice, conversationId, 'older');
    const newer = await sent(alice, conversationId, 'newer');
    await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: newer.id },
    });

    const response = await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: older.id },
    });

    expect(response.status).toBe(200);
    expect(response.body.lastReadMessageId).toBe(newer.id);
    await api.drainStreams();
    expect((await inboxEntry(bob, conversationId)).unreadCount).toBe(0);
  });

  it('answers 400 naming messageId for a message of another conversation, and for an id that is no message', async () => {
    const [alice, bob, carol] = await signUpMany(3);
    const conversationId = await directConversation(api, alice, bob);
    const elsewhere = await sent(alice, await directConversation(api, alice, carol), 'elsewhere');

    const foreign = await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: elsewhere.id },
    });
    const bogus = await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: 'not-a-message' },
    });

    expectProblem(foreign, 400, 'messageId');
    expectProblem(bogus, 400, 'messageId');
  });

  it('answers 400 for a message of another conversation also when the marker is already past that id', async () => {
    const [alice, bob, carol] = await signUpMany(3);
    const elsewhere = await sent(alice, await directConversation(api, alice, carol), 'older, elsewhere');
    const conversationId = await directConversation(api, alice, bob);
    const latest = await sent(alice, conversationId, 'latest here');
    await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: latest.id },
    });

    const response = await api.request('POST', `/conversations/${conversationId}/read`, {
      token: bob.token,
      body: { messageId: elsewhere.id },
    });

    expectProblem(response, 400, 'messageId');
  });
});

describe('many members sending at once', () => {
  it('stores every message of 3 members sending 20 each concurrently, none lost or duplicated, ordered by id', async () => {
    const [owner, second, third] = await signUpMany(3);
    const senders = [owner, second, third];
    const conversationId = await groupConversation(owner, [second, third]);

    const responses = await Promise.all(
      senders.flatMap((sender, s) =>
        Array.from({ length: 20 }, (_, i) => sendText(sender, conversationId, `sender ${s} message ${i}`)),
      ),
    );

    expect(responses.filter((response) => response.status !== 201).map((response) => response.text)).toEqual(
      [],
    );
    const history = await wholeHistory(owner, conversationId);
    expect(history).toHaveLength(60);
    const ids = history.map((message) => message.id);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toEqual([...ids].sort(byIdDescending));
    const texts = history.map((message) => `${message.senderId}:${message.content.text}`).sort();
    const expected = senders
      .flatMap((sender, s) => Array.from({ length: 20 }, (_, i) => `${sender.id}:sender ${s} message ${i}`))
      .sort();
    expect(texts).toEqual(expected);
    await api.drainStreams();
    const entry = await inboxEntry(second, conversationId);
    expect(entry.lastMessage.id).toBe(ids[0]);
  });
});
