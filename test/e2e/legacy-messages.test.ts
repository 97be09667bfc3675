/**
 * The older clients' message endpoints through the local HTTP gateway, called as those clients call them:
 * a bare token in Authorization, `{sender, recipient, content: {type: "string"}}` bodies, and
 * `GET /messages?recipient=`.
 */
import { describe, expect, it } from 'vitest';
import { makeContacts, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

async function pair(): Promise<[SignedInUser, SignedInUser]> {
  return Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
}

/** POST /messages the way older clients send it: bare token, `string` content. */
function legacySend(user: SignedInUser, body: Record<string, unknown>) {
  return api.request('POST', '/messages', { token: user.token, bareToken: true, body });
}

function legacyText(text: string) {
  return { type: 'string', text };
}

function legacyList(user: SignedInUser, query: string) {
  return api.request('GET', `/messages?${query}`, { token: user.token, bareToken: true });
}

describe('POST /messages', () => {
  it('answers 201 with the message in the older shape (content type "string") and starts the direct conversation', async () => {
    const [alice, bob] = await pair();

    const response = await legacySend(alice, {
      sender: alice.id,
      recipient: bob.id,
      content: legacyText('hello from an old app'),
    });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(ULID),
      conversationId: expect.any(String),
      senderId: alice.id,
      content: { type: 'string', text: 'hello from an old app' },
      createdAt: expect.any(String),
    });
    const direct = await api.request('POST', '/conversations', {
      token: bob.token,
      body: { type: 'direct', userId: alice.id },
    });
    expect(direct.status).toBe(200);
    expect(direct.body.id).toBe(response.body.conversationId);
    const history = await api.request('GET', `/conversations/${direct.body.id}/messages`, {
      token: bob.token,
    });
    expect(history.body.items).toEqual([
      expect.objectContaining({
        id: response.body.id,
        content: { type: 'text', text: 'hello from an old app' },
      }),
    ]);
  });

  it('uses the existing direct conversation for later messages, from either side', async () => {
    const [alice, bob] = await pair();
    const started = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'direct', userId: bob.id },
    });

    const first = await legacySend(alice, { recipient: bob.id, content: legacyText('one') });
    const reply = await legacySend(bob, { sender: bob.id, recipient: alice.id, content: legacyText('two') });

    expect([first.status, reply.status]).toEqual([201, 201]);
    expect(first.body.conversationId).toBe(started.body.id);
    expect(reply.body.conversationId).toBe(started.body.id);
    const list = await api.request('GET', '/conversations', { token: alice.token });
    expect(list.body.items).toHaveLength(1);
  });

  it('answers 403 naming sender when sender is someone other than the caller, and sends nothing', async () => {
    const [alice, bob] = await pair();

    const response = await legacySend(alice, {
      sender: bob.id,
      recipient: bob.id,
      content: legacyText('pretending to be Bob'),
    });

    expectProblem(response, 403, 'sender');
    const history = await legacyList(bob, `recipient=${alice.id}`);
    expect(history.body.items).toEqual([]);
  });

  it('sends to a group named by conversationId instead of recipient', async () => {
    const [alice, bob] = await pair();
    await makeContacts(api, alice, bob);
    const group = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'group', name: 'Old and new', memberIds: [bob.id] },
    });

    const response = await legacySend(bob, {
      conversationId: group.body.id,
      content: legacyText('to the group'),
    });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ conversationId: group.body.id, senderId: bob.id });
    const history = await api.request('GET', `/conversations/${group.body.id}/messages`, {
      token: alice.token,
    });
    expect(history.body.items.map((message: any) => message.content.text)).toEqual(['to the group']);
  });

  it('also accepts content of type "text"', async () => {
    const [alice, bob] = await pair();

    const response = await legacySend(alice, {
      recipient: bob.id,
      content: { type: 'text', text: 'new style' },
    });

    expect(response.status).toBe(201);
    expect(response.body.content).toEqual({ type: 'string', text: 'new style' });
  });

  it('answers a clear 4xx problem naming the content for a video message without an uploaded video, and stores nothing', async () => {
    const [alice, bob] = await pair();

    const response = await legacySend(alice, {
      recipient: bob.id,
      content: { type: 'video', video: 'x' },
    });

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expectProblem(response, response.status);
    const fields = (response.body.errors ?? []).map((error: { field: string }) => error.field);
    // "content.video": "x" is no ready upload of the sender ("content.type" on servers without media).
    expect(fields.some((field: string) => field === 'content.type' || field === 'content.video')).toBe(true);
    const history = await legacyList(bob, `recipient=${alice.id}`);
    expect(history.body.items).toEqual([]);
  });

  it('answers 400 naming recipient when both recipient and conversationId, or neither, are given', async () => {
    const [alice, bob] = await pair();

    const both = await legacySend(alice, {
      recipient: bob.id,
      conversationId: 'some-conversation',
      content: legacyText('where to?'),
    });
    const neither = await legacySend(alice, { content: legacyText('to nobody') });

    expectProblem(both, 400, 'recipient');
    expectProblem(neither, 400, 'recipient');
  });

  it('answers 404 for an unknown recipient, and for a conversation the caller is not in', async () => {
    const [alice, bob] = await pair();
    const carol = await signUpAndLogin(api);
    const theirs = await api.request('POST', '/conversations', {
      token: bob.token,
      body: { type: 'direct', userId: carol.id },
    });

    const unknown = await legacySend(alice, { recipient: UNKNOWN_ID, content: legacyText('anyone?') });
    const notMine = await legacySend(alice, { conversationId: theirs.body.id, content: legacyText('hi') });

    expectProblem(unknown, 404);
    expectProblem(notMine, 404);
    const history = await legacyList(bob, `conversationId=${theirs.body.id}`);
    expect(history.body.items).toEqual([]);
  });

  it('answers 401 without a token', async () => {
    const [, bob] = await pair();

    const response = await api.request('POST', '/messages', {
      body: { recipient: bob.id, content: legacyText('anonymous') },
    });

    expectProblem(response, 401);
  });
});

describe('GET /messages', () => {
  it('lists the messages with a user, newest first, in the older shape, and pages with nextCursor', async () => {
    const [alice, bob] = await pair();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await legacySend(i % 2 ? bob : alice, {
        recipient: i % 2 ? alice.id : bob.id,
        content: legacyText(`message ${i}`),
      });
      sent.push(response.body.id);
    }

    const first = await legacyList(alice, `recipient=${bob.id}&limit=3`);
    const second = await legacyList(
      alice,
      `recipient=${bob.id}&limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );

    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.items[0]).toEqual({
      id: sent[4],
      conversationId: expect.any(String),
      senderId: alice.id,
      content: { type: 'string', text: 'message 4' },
      createdAt: expect.any(String),
    });
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items].map((message: any) => message.id)).toEqual(
      [...sent].reverse(),
    );
  });

  it('gives the same messages from either side of the conversation', async () => {
    const [alice, bob] = await pair();
    await legacySend(alice, { recipient: bob.id, content: legacyText('symmetry') });

    const fromAlice = await legacyList(alice, `recipient=${bob.id}`);
    const fromBob = await legacyList(bob, `recipient=${alice.id}`);

    expect(fromAlice.body.items).toHaveLength(1);
    expect(fromBob.body).toEqual(fromAlice.body);
  });

  it('lists a conversation named by conversationId', async () => {
    const [alice, bob] = await pair();
    const sent = await legacySend(alice, { recipient: bob.id, content: legacyText('by conversation') });

    const response = await legacyList(bob, `conversationId=${sent.body.conversationId}`);

    expect(response.status).toBe(200);
    expect(response.body.items.map((message: any) => message.content)).toEqual([
      { type: 'string', text: 'by conversation' },
    ]);
  });

  it('answers 200 with no items for an existing user without a conversation yet', async () => {
    const [alice, bob] = await pair();

    const response = await legacyList(alice, `recipient=${bob.id}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });

  it('answers 404 for an unknown recipient', async () => {
    const [alice] = await pair();

    const response = await legacyList(alice, `recipient=${UNKNOWN_ID}`);

    expectProblem(response, 404);
  });

  it('answers 404 for a conversation the caller is not in', async () => {
    const [alice, bob] = await pair();
    const carol = await signUpAndLogin(api);
    const theirs = await legacySend(bob, { recipient: carol.id, content: legacyText('private') });

    const response = await legacyList(alice, `conversationId=${theirs.body.conversationId}`);

    expectProblem(response, 404);
    expect(response.text).not.toContain('private');
  });

  it('answers 400 naming recipient without recipient or conversationId', async () => {
    const [alice] = await pair();

    const response = await legacyList(alice, 'limit=10');

    expectProblem(response, 400, '(query) recipient');
  });
});

describe('POST /messages to a recipient without a conversation yet', () => {
  it('leaves no empty conversation behind when the message is rejected', async () => {
    const [alice, bob] = await pair();

    const rejected = await api.request('POST', '/messages', {
      token: alice.token,
      bareToken: true,
      body: { recipient: bob.id, content: { type: 'video', video: UNKNOWN_ID } },
    });

    expectProblem(rejected, 400, 'content.video');
    const inbox = await api.request('GET', '/conversations', { token: alice.token });
    expect(inbox.body.items).toEqual([]);
  });

  it('names `recipient` when the recipient is unknown', async () => {
    const [alice] = await pair();
    const content = { type: 'string', text: 'hello?' };

    const unknown = await api.request('POST', '/messages', {
      token: alice.token,
      bareToken: true,
      body: { recipient: UNKNOWN_ID, content },
    });

    expectProblem(unknown, 404, 'recipient');
  });
});
