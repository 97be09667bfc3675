/**
 * Mentions end to end against the local stack: `@username` resolves to the ids of members only (unknown names
 * and non-members stay plain text), at most 20 names a message; the mentioned member's inbox counts unread
 * mentions apart and reading clears them; edits and deletions keep the count right; `message.created` tells
 * the mentioned member, and only them, over the WebSocket and in /sync; bad inputs stay 4xx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../functions/shared/schemas/realtime';
import type { SignedInUser } from '../support/api';
import { useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();

const opened: TestSocket[] = [];
afterEach(async () => {
  const sockets = opened.splice(0);
  await Promise.all(sockets.map((socket) => socket.close()));
  for (const socket of sockets) expect(socket.invalid).toEqual([]);
});

/** Opens a socket and waits until the stream has registered it: it gets every event from then on. */
async function online(user: SignedInUser): Promise<TestSocket> {
  const socket = await connect(api.wsUrl, user.token);
  opened.push(socket);
  await api.drainStreams();
  return socket;
}

const { users, call, group } = conversationHelpers(api);

const sendText = (user: SignedInUser, conversationId: string, text: string) =>
  call(user, 'POST', `/conversations/${conversationId}/messages`, { content: { type: 'text', text } });

/** The user's inbox entry for the conversation, as GET /conversations shows it. */
async function inboxEntry(user: SignedInUser, conversationId: string) {
  const inbox = await call(user, 'GET', '/conversations?limit=100');
  return inbox.items.find((item: { id: string }) => item.id === conversationId);
}

const createdEvent = (messageId: string) => (event: RealtimeEvent) =>
  event.type === 'message.created' && event.message.id === messageId;

describe('resolving mentions', () => {
  it('resolves a mention of a member to their id, ignoring case, and keeps the text as written', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    const text = `hi @${bob.username.toUpperCase()} and (@${carol.username}), again @${bob.username}.`;

    const sent = await sendText(alice, conversationId, text);

    expect(sent.content).toEqual({ type: 'text', text });
    expect(sent.mentionedUserIds).toEqual([bob.id, carol.id]);
    const history = await call(carol, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.items[0]).toMatchObject({ id: sent.id, mentionedUserIds: [bob.id, carol.id] });
  });

  it('leaves names of non-members, unknown names, addresses and mid-word @ as plain text', async () => {
    const [alice, bob, outsider] = await users(3);
    const conversationId = await group(alice, [bob]);
    const text = `@${outsider.username} @nobody_has_this_name mail ${bob.username}@example.com x@${bob.username}`;

    const sent = await sendText(alice, conversationId, text);

    expect(sent.mentionedUserIds).toEqual([]);
    expect(sent.content.text).toBe(text);
  });

  it('shows an empty list on messages without mentions, and on a deleted message that had some', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const plain = await sendText(alice, conversationId, 'no one in particular');
    const mentioning = await sendText(alice, conversationId, `@${bob.username} look`);
    await call(alice, 'DELETE', `/conversations/${conversationId}/messages/${mentioning.id}`);

    const history = await call(bob, 'GET', `/conversations/${conversationId}/messages`);

    expect(plain.mentionedUserIds).toEqual([]);
    expect(history.items.map((message: { mentionedUserIds: string[] }) => message.mentionedUserIds)).toEqual([
      [],
      [],
    ]);
  });

  it('resolves only the first 20 distinct names of a message', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const unknown = Array.from({ length: 20 }, (_, i) => `@unknown_${i}_name`).join(' ');

    const late = await sendText(alice, conversationId, `${unknown} @${bob.username}`);
    const early = await sendText(alice, conversationId, `@${bob.username} ${unknown}`);

    expect(late.mentionedUserIds).toEqual([]);
    expect(early.mentionedUserIds).toEqual([bob.id]);
  });

  it('resolves mentions in a direct conversation and in notes to self', async () => {
    const [alice, bob] = await users(2);
    const direct = await call(alice, 'POST', '/conversations', { type: 'direct', userId: bob.id });
    const notes = await call(alice, 'POST', '/conversations', { type: 'direct', userId: alice.id });

    const toBob = await sendText(alice, direct.id, `@${bob.username} and me @${alice.username}`);
    const toSelf = await sendText(alice, notes.id, `remind @${alice.username}, not @${bob.username}`);
    await api.drainStreams();

    expect(toBob.mentionedUserIds).toEqual([bob.id, alice.id]);
    expect(toSelf.mentionedUserIds).toEqual([alice.id]);
    // Notes to self have no unread count, so no mention count either; nor does the sender's own message.
    expect(await inboxEntry(alice, notes.id)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect(await inboxEntry(alice, direct.id)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect(await inboxEntry(bob, direct.id)).toMatchObject({ unreadCount: 1, unreadMentionCount: 1 });
  });

  it('recomputes mentions on an edit, down to none', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    const sent = await sendText(alice, conversationId, `@${bob.username} first`);
    const path = `/conversations/${conversationId}/messages/${sent.id}`;

    const edited = await call(alice, 'PATCH', path, { text: `now @${carol.username} instead` });

    expect(edited.mentionedUserIds).toEqual([carol.id]);
    const none = await call(alice, 'PATCH', path, { text: 'nobody now' });
    expect(none.mentionedUserIds).toEqual([]);
  });
});

describe('unread mentions in the inbox', () => {
  it('counts unread mentions apart from unread messages, and reading clears both', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    await sendText(alice, conversationId, 'hello all');
    const mention = await sendText(alice, conversationId, `@${bob.username} can you look?`);
    const latest = await sendText(carol, conversationId, 'me too');
    await api.drainStreams();

    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 3, unreadMentionCount: 1 });
    expect(await inboxEntry(carol, conversationId)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect(await inboxEntry(alice, conversationId)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });
    // The first page of /sync shows the inbox as GET /conversations does.
    const first = await call(bob, 'GET', '/sync');
    expect(first.inbox.items.find((item: { id: string }) => item.id === conversationId)).toMatchObject({
      unreadCount: 3,
      unreadMentionCount: 1,
    });

    // Reading up to just before the mention keeps it; reading past it clears it.
    const before = (await call(bob, 'GET', `/conversations/${conversationId}/messages`)).items[2].id;
    await call(bob, 'POST', `/conversations/${conversationId}/read`, { messageId: before });
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 2, unreadMentionCount: 1 });
    await call(bob, 'POST', `/conversations/${conversationId}/read`, { messageId: mention.id });
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });
    await call(bob, 'POST', `/conversations/${conversationId}/read`, { messageId: latest.id });
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
  });

  it('follows edits that add or remove a mention of an unread message, and deletions', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const sent = await sendText(alice, conversationId, 'plain at first');
    const path = `/conversations/${conversationId}/messages/${sent.id}`;
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });

    await call(alice, 'PATCH', path, { text: `now for @${bob.username}` });
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 1, unreadMentionCount: 1 });

    await call(alice, 'PATCH', path, { text: 'never mind' });
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });

    const second = await sendText(alice, conversationId, `@${bob.username} really`);
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 2, unreadMentionCount: 1 });
    await call(alice, 'DELETE', `/conversations/${conversationId}/messages/${second.id}`);
    await api.drainStreams();
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });
  });

  it('does not count a mention in a message the member already read', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const sent = await sendText(alice, conversationId, 'read me');
    await call(bob, 'POST', `/conversations/${conversationId}/read`, { messageId: sent.id });
    await api.drainStreams();

    await call(alice, 'PATCH', `/conversations/${conversationId}/messages/${sent.id}`, {
      text: `read me @${bob.username}`,
    });
    await api.drainStreams();

    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
  });
});

describe('mention events', () => {
  it('tells the mentioned member so in their own message.created, over the WebSocket and in /sync', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    await api.drainStreams();
    const [bobStart, carolStart] = await Promise.all([
      call(bob, 'GET', '/sync'),
      call(carol, 'GET', '/sync'),
    ]);
    const [aliceSocket, bobSocket, carolSocket] = await Promise.all([
      online(alice),
      online(bob),
      online(carol),
    ]);

    const sent = await sendText(alice, conversationId, `@${bob.username} and @${alice.username}`);
    const [toAlice, toBob, toCarol] = await Promise.all(
      [aliceSocket, bobSocket, carolSocket].map((socket) => socket.waitFor(createdEvent(sent.id), 10_000)),
    );

    expect(toBob).toMatchObject({ mentioned: true, message: { mentionedUserIds: [bob.id, alice.id] } });
    // The others learn who was mentioned from the message only; the sender mentioning themselves is no news.
    expect(toCarol).not.toHaveProperty('mentioned');
    expect(toCarol).toMatchObject({ message: { mentionedUserIds: [bob.id, alice.id] } });
    expect(toAlice).not.toHaveProperty('mentioned');

    // Feed entries are stored after the posts (docs/data-model.md, "The change feed"): let the consumer finish.
    await api.drainStreams();
    const [bobSynced, carolSynced] = await Promise.all([
      call(bob, 'GET', `/sync?since=${encodeURIComponent(bobStart.nextCursor)}`),
      call(carol, 'GET', `/sync?since=${encodeURIComponent(carolStart.nextCursor)}`),
    ]);
    expect(bobSynced.events.find(createdEvent(sent.id))).toEqual(toBob);
    expect(carolSynced.events.find(createdEvent(sent.id))).toEqual(toCarol);
  });

  it('carries the new mentions in message.updated after an edit, without telling anyone "mentioned"', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const sent = await sendText(alice, conversationId, 'plain');
    await api.drainStreams();
    const bobSocket = await online(bob);

    await call(alice, 'PATCH', `/conversations/${conversationId}/messages/${sent.id}`, {
      text: `@${bob.username} look`,
    });
    const updated = await bobSocket.waitFor(
      (event) => event.type === 'message.updated' && event.message.id === sent.id,
      10_000,
    );

    expect(updated).toMatchObject({ message: { mentionedUserIds: [bob.id] } });
    expect(updated).not.toHaveProperty('mentioned');
  });
});

describe('bad inputs and non-members', () => {
  it('answers a non-member who mentions a member 404, and stores nothing', async () => {
    const [alice, bob, mallory] = await users(3);
    const conversationId = await group(alice, [bob]);

    const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: mallory.token,
      body: { content: { type: 'text', text: `@${bob.username} hi` } },
    });

    expectProblem(response, 404);
    const history = await call(alice, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.items).toEqual([]);
  });

  it.each([
    ['that is blank', { content: { type: 'text', text: '   ' } }, 'content'],
    ['too long with mentions', { content: { type: 'text', text: '@abc '.repeat(1001) } }, 'content'],
    ['mentionedUserIds from the client', { content: { type: 'text', text: 'hi' }, mentionedUserIds: [] }, ''],
  ])('refuses a message %s with a 400', async (_, body, field) => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);

    const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body,
    });

    expectProblem(response, 400);
    expect(JSON.stringify(response.body.errors)).toContain(field);
  });

  it('takes text of thousands of @ as plain text', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);

    const sent = await sendText(alice, conversationId, `${'@'.repeat(4000)} @@${bob.username}`);

    expect(sent.mentionedUserIds).toEqual([]);
  });

  it('refuses an edit by someone else 403 whatever it mentions', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const sent = await sendText(alice, conversationId, 'mine');

    const response = await api.request('PATCH', `/conversations/${conversationId}/messages/${sent.id}`, {
      token: bob.token,
      body: { text: `@${bob.username} mine now` },
    });

    expectProblem(response, 403);
  });
});
