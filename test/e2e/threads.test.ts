/**
 * Replies (threads) through the local stack: a message may name `parentMessageId`; threads are one level deep
 * (a reply to a reply joins the root's thread); the root counts its replies atomically; the thread pages oldest
 * first; the main history leaves replies out unless asked; bad parents are 4xx problems that write nothing;
 * events arrive over a real WebSocket and in /sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageEvent } from '../../functions/shared/schemas/realtime';
import { type ApiResponse, type SignedInUser, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();

const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

const opened: TestSocket[] = [];
afterEach(async () => {
  const sockets = opened.splice(0);
  await Promise.all(sockets.map((socket) => socket.close()));
  for (const socket of sockets) expect(socket.invalid).toEqual([]);
});

interface Msg {
  id: string;
  senderId: string;
  createdAt: string;
  parentMessageId?: string;
  replyCount?: number;
  lastReplyAt?: string;
  content: { type: string; text?: string } | null;
}

const helpers = conversationHelpers(api);
const { users, call } = helpers;
const group = (owner: SignedInUser, members: SignedInUser[]) => helpers.group(owner, members, 'Threads');

const post = (
  user: SignedInUser,
  conversationId: string,
  text: string,
  extra: Record<string, unknown> = {},
) =>
  api.request('POST', `/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { content: { type: 'text', text }, ...extra },
  });

async function send(user: SignedInUser, conversationId: string, text: string): Promise<Msg> {
  const response = await post(user, conversationId, text);
  if (response.status !== 201) throw new Error(`send: ${response.status} ${response.text}`);
  return response.body;
}

async function reply(
  user: SignedInUser,
  conversationId: string,
  parentId: string,
  text: string,
): Promise<Msg> {
  const response = await post(user, conversationId, text, { parentMessageId: parentId });
  if (response.status !== 201) throw new Error(`reply: ${response.status} ${response.text}`);
  return response.body;
}

const repliesPath = (conversationId: string, messageId: string, query = '') =>
  `/conversations/${conversationId}/messages/${messageId}/replies${query}`;

/** The whole thread, page by page (GSI1 is read eventually consistently: a moment after the sends it is all there). */
async function thread(user: SignedInUser, conversationId: string, rootId: string, limit = 100) {
  const items: Msg[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await call(user, 'GET', repliesPath(conversationId, rootId, query));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function history(user: SignedInUser, conversationId: string, query = '') {
  return (await call(user, 'GET', `/conversations/${conversationId}/messages${query}`)).items as Msg[];
}

async function messageInHistory(user: SignedInUser, conversationId: string, id: string) {
  return (await history(user, conversationId, '?limit=100&includeReplies=true')).find((m) => m.id === id);
}

describe('replying', () => {
  it('answers 201 with the reply naming its root, and the root shows replyCount and lastReplyAt', async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'lunch?');

    const first = await reply(bob, id, root.id, 'yes');
    const second = await reply(alice, id, root.id, 'noon then');
    const shown = await messageInHistory(bob, id, root.id);

    expect(first).toMatchObject({ parentMessageId: root.id, senderId: bob.id, conversationId: id });
    expect(second.parentMessageId).toBe(root.id);
    expect(shown).toMatchObject({ replyCount: 2, lastReplyAt: second.createdAt });
    expect(shown?.parentMessageId).toBeUndefined();
  });

  it('puts a reply to a reply in the root thread: the root counts it, the reply gets no count', async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'root');
    const first = await reply(bob, id, root.id, 'first');

    const nested = await reply(alice, id, first.id, 'answering first');

    expect(nested.parentMessageId).toBe(root.id);
    expect((await messageInHistory(alice, id, root.id))?.replyCount).toBe(2);
    expect((await messageInHistory(alice, id, first.id))?.replyCount).toBeUndefined();
    expect((await thread(alice, id, root.id)).map((m) => m.id)).toEqual([first.id, nested.id]);
  });

  it('counts every one of 20 replies sent at once by different members', async () => {
    const members = await users(5);
    const [owner, ...others] = members;
    const id = await group(owner, others);
    const root = await send(owner, id, 'vote here');

    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        reply(members[index % members.length] as SignedInUser, id, root.id, `vote ${index}`),
      ),
    );
    const shown = await messageInHistory(owner, id, root.id);
    const listed = await thread(owner, id, root.id, 7);

    expect(shown?.replyCount).toBe(20);
    const newest = sent
      .map((m) => m.createdAt)
      .sort()
      .at(-1);
    expect(shown?.lastReplyAt).toBe(newest);
    expect(listed.map((m) => m.id).sort()).toEqual(sent.map((m) => m.id).sort());
  });

  it('returns the original reply for a retry with the same clientMessageId, counted once', async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'root');

    const first = await post(bob, id, 'once', { parentMessageId: root.id, clientMessageId: 'r-1' });
    const retry = await post(bob, id, 'once', { parentMessageId: root.id, clientMessageId: 'r-1' });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await messageInHistory(alice, id, root.id))?.replyCount).toBe(1);
  });

  it('returns the original reply for a retry after its parent was deleted, instead of the 409', async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'root');
    const first = await post(bob, id, 'once', { parentMessageId: root.id, clientMessageId: 'r-2' });
    await call(alice, 'DELETE', `/conversations/${id}/messages/${root.id}`);

    const retry = await post(bob, id, 'once', { parentMessageId: root.id, clientMessageId: 'r-2' });
    const fresh = await post(bob, id, 'new', { parentMessageId: root.id, clientMessageId: 'r-3' });

    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expectProblem(fresh, 409, 'parentMessageId');
  });

  it('keeps a thread readable after its root is deleted, and a deleted reply in it as a tombstone', async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'root');
    const kept = await reply(bob, id, root.id, 'kept');
    const dropped = await reply(bob, id, root.id, 'dropped');

    await call(bob, 'DELETE', `/conversations/${id}/messages/${dropped.id}`);
    await call(alice, 'DELETE', `/conversations/${id}/messages/${root.id}`);
    const listed = await thread(bob, id, root.id);

    expect(listed.map((m) => m.id)).toEqual([kept.id, dropped.id]);
    expect(listed[1]).toMatchObject({ content: null, deletedAt: expect.any(String) });
    expect(await messageInHistory(bob, id, root.id)).toMatchObject({ replyCount: 2, content: null });
  });
});

describe('the replies page', () => {
  it('pages a thread oldest first with nextCursor, null on the last page', async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);
    const root = await send(alice, id, 'root');
    const sent: Msg[] = [];
    for (let index = 0; index < 5; index++) sent.push(await reply(alice, id, root.id, `r${index}`));

    const first = await call(alice, 'GET', repliesPath(id, root.id, '?limit=2'));
    const second = await call(
      alice,
      'GET',
      repliesPath(id, root.id, `?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`),
    );
    const third = await call(
      alice,
      'GET',
      repliesPath(id, root.id, `?limit=2&cursor=${encodeURIComponent(second.nextCursor)}`),
    );

    const ids = (page: { items: Msg[] }) => page.items.map((m) => m.id);
    expect(ids(first)).toEqual([sent[0]?.id, sent[1]?.id]);
    expect(ids(second)).toEqual([sent[2]?.id, sent[3]?.id]);
    expect(ids(third)).toEqual([sent[4]?.id]);
    expect(third.nextCursor).toBeNull();
  });

  it('answers an empty page for a message without replies', async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);
    const root = await send(alice, id, 'lonely');

    const page = await call(alice, 'GET', repliesPath(id, root.id));

    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it("answers 400 for a forged cursor, a cursor of another thread and a history cursor, never showing that thread's replies", async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);
    const [one, two] = [await send(alice, id, 'one'), await send(alice, id, 'two')];
    for (let index = 0; index < 3; index++) await reply(alice, id, two.id, `t${index}`);
    await reply(alice, id, one.id, 'o');
    await send(alice, id, 'three');
    const otherThread = (await call(alice, 'GET', repliesPath(id, two.id, '?limit=1'))).nextCursor as string;
    const historyCursor = (await call(alice, 'GET', `/conversations/${id}/messages?limit=1`))
      .nextCursor as string;
    const forged = Buffer.from(JSON.stringify({ v: 1, kind: 'replies', c: id, r: one.id, m: 'x' })).toString(
      'base64url',
    );

    const answers: ApiResponse[] = [];
    for (const cursor of ['not-a-cursor', forged, otherThread, historyCursor]) {
      answers.push(
        await api.request('GET', repliesPath(id, one.id, `?cursor=${encodeURIComponent(cursor)}`), {
          token: alice.token,
        }),
      );
    }

    for (const answer of answers) expectProblem(answer, 400, '(query) cursor');
  });

  it('answers 400 naming limit for a limit out of range', async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);
    const root = await send(alice, id, 'root');

    const zero = await api.request('GET', repliesPath(id, root.id, '?limit=0'), { token: alice.token });
    const tooMany = await api.request('GET', repliesPath(id, root.id, '?limit=101'), { token: alice.token });

    expectProblem(zero, 400, '(query) limit');
    expectProblem(tooMany, 400, '(query) limit');
  });

  it('answers 404 for an unknown message or one that is not an id, and 400 for the replies of a reply', async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);
    const root = await send(alice, id, 'root');
    const answer = await reply(alice, id, root.id, 'answer');

    const unknown = await api.request('GET', repliesPath(id, UNKNOWN_ID), { token: alice.token });
    const notAnId = await api.request('GET', repliesPath(id, 'nope'), { token: alice.token });
    const ofReply = await api.request('GET', repliesPath(id, answer.id), { token: alice.token });

    expectProblem(unknown, 404, '(path) messageId');
    expectProblem(notAnId, 404, '(path) messageId');
    expectProblem(ofReply, 400, '(path) messageId');
  });

  it('answers 404 to a non-member, exactly as for a conversation that does not exist', async () => {
    const [alice, mallory] = await users(2);
    const id = await group(alice, []);
    const root = await send(alice, id, 'secret');
    await reply(alice, id, root.id, 'secret reply');

    const peek = await api.request('GET', repliesPath(id, root.id), { token: mallory.token });
    const nowhere = await api.request('GET', repliesPath(UNKNOWN_ID, root.id), { token: mallory.token });

    expectProblem(peek, 404);
    expectProblem(nowhere, 404);
    expect(peek.body.type).toBe(nowhere.body.type);
    expect(peek.text).not.toContain(root.id);
    expect(peek.text).not.toContain('secret');
  });
});

describe('the main history and threads', () => {
  it('leaves replies out by default, shows them with includeReplies=true, and the older GET /messages shows them', async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'root');
    const answer = await reply(bob, id, root.id, 'reply');
    const later = await send(bob, id, 'later');

    const plain = await history(alice, id);
    const explicit = await history(alice, id, '?includeReplies=false');
    const withReplies = await history(alice, id, '?includeReplies=true');
    const legacy = await api.request('GET', `/messages?conversationId=${id}`, {
      token: alice.token,
      bareToken: true,
    });

    expect(plain.map((m) => m.id)).toEqual([later.id, root.id]);
    expect(explicit.map((m) => m.id)).toEqual([later.id, root.id]);
    expect(withReplies.map((m) => m.id)).toEqual([later.id, answer.id, root.id]);
    expect(legacy.body.items.map((m: Msg) => m.id)).toEqual([later.id, answer.id, root.id]);
  });

  it('pages the history without replies completely and in order however many replies lie between', async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);
    const oldest = await send(alice, id, 'oldest');
    const root = await send(alice, id, 'root');
    for (let index = 0; index < 12; index++) await reply(alice, id, root.id, `r${index}`);
    const newest = await send(alice, id, 'newest');

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call(alice, 'GET', `/conversations/${id}/messages${query}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m: Msg) => m.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);

    expect(seen).toEqual([newest.id, root.id, oldest.id]);
  });

  it('continues a catch-up (?after=) with nextCursor, oldest first, past a page cut short by replies', async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);
    const seenBefore = await send(alice, id, 'seen before the reconnect');
    const root = await send(alice, id, 'root');
    for (let index = 0; index < 12; index++) await reply(alice, id, root.id, `r${index}`);
    const later = [await send(alice, id, 'later 1'), await send(alice, id, 'later 2')];

    const first = await call(alice, 'GET', `/conversations/${id}/messages?limit=2&after=${seenBefore.id}`);
    // Four queries of three read only the root and replies: a short page, and a cursor to go on.
    expect(first.items.map((m: Msg) => m.id)).toEqual([root.id]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const seen: string[] = [root.id];
    let cursor: string | null = first.nextCursor;
    let pages = 1;
    while (cursor && pages < 20) {
      const page = await call(
        alice,
        'GET',
        `/conversations/${id}/messages?limit=2&cursor=${encodeURIComponent(cursor)}`,
      );
      seen.push(...page.items.map((m: Msg) => m.id));
      cursor = page.nextCursor;
      pages++;
    }

    expect(seen).toEqual([root.id, ...later.map((m) => m.id)]);
  });

  it('answers 400 for a catch-up cursor of another conversation, and for cursor with after', async () => {
    const [alice] = await users(1);
    const [id, other] = [await group(alice, []), await group(alice, [])];
    const marks = [await send(alice, id, 'a'), await send(alice, id, 'b'), await send(alice, id, 'c')];
    const page = await call(alice, 'GET', `/conversations/${id}/messages?limit=1&after=${marks[0]?.id}`);

    const elsewhere = await api.request(
      'GET',
      `/conversations/${other}/messages?cursor=${encodeURIComponent(page.nextCursor)}`,
      { token: alice.token },
    );
    const both = await api.request(
      'GET',
      `/conversations/${id}/messages?cursor=${encodeURIComponent(page.nextCursor)}&after=${marks[0]?.id}`,
      { token: alice.token },
    );

    expectProblem(elsewhere, 400, '(query) cursor');
    expectProblem(both, 400, '(query) after');
  });

  it('answers 400 naming includeReplies for a value other than true or false', async () => {
    const [alice] = await users(1);
    const id = await group(alice, []);

    const response = await api.request('GET', `/conversations/${id}/messages?includeReplies=yes`, {
      token: alice.token,
    });

    expectProblem(response, 400, '(query) includeReplies');
  });
});

describe('replying to what cannot be replied to', () => {
  async function setup() {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const other = await group(alice, [bob]);
    const root = await send(alice, id, 'root');
    const first = await reply(bob, id, root.id, 'first');
    return { alice, bob, id, other, root, first };
  }

  /** Nothing written: the history with replies and the root's count are as before. */
  async function expectUnchanged(user: SignedInUser, id: string, before: Msg[]) {
    expect(await history(user, id, '?limit=100&includeReplies=true')).toEqual(before);
  }

  it('answers 400 naming parentMessageId for an unknown id, a non-id and a message of another conversation', async () => {
    const { alice, id, other } = await setup();
    const elsewhere = await send(alice, other, 'elsewhere');
    const before = await history(alice, id, '?limit=100&includeReplies=true');

    const unknown = await post(alice, id, 'x', { parentMessageId: UNKNOWN_ID });
    const notAnId = await post(alice, id, 'x', { parentMessageId: 'not-an-id' });
    const crossed = await post(alice, id, 'x', { parentMessageId: elsewhere.id });
    const empty = await post(alice, id, 'x', { parentMessageId: '' });
    const wrongType = await post(alice, id, 'x', { parentMessageId: 42 });

    for (const answer of [unknown, notAnId, crossed, empty, wrongType]) {
      expectProblem(answer, 400, 'parentMessageId');
    }
    await expectUnchanged(alice, id, before);
    expect((await messageInHistory(alice, other, elsewhere.id))?.replyCount).toBeUndefined();
  });

  it('answers 409 naming parentMessageId for a deleted root, a deleted reply, and a reply whose root was deleted', async () => {
    const { alice, bob, id, root, first } = await setup();
    const second = await reply(bob, id, root.id, 'second');
    const other = await send(alice, id, 'other root');
    const otherReply = await reply(bob, id, other.id, 'other reply');
    await call(bob, 'DELETE', `/conversations/${id}/messages/${second.id}`);
    await call(alice, 'DELETE', `/conversations/${id}/messages/${other.id}`);
    const before = await history(alice, id, '?limit=100&includeReplies=true');

    const toDeletedReply = await post(alice, id, 'x', { parentMessageId: second.id });
    const toDeletedRoot = await post(alice, id, 'x', { parentMessageId: other.id });
    const underDeletedRoot = await post(alice, id, 'x', { parentMessageId: otherReply.id });

    for (const answer of [toDeletedReply, toDeletedRoot, underDeletedRoot]) {
      expectProblem(answer, 409, 'parentMessageId');
    }
    await expectUnchanged(alice, id, before);
    expect((await messageInHistory(alice, id, root.id))?.replyCount).toBe(2);
    expect(first.parentMessageId).toBe(root.id);
  });

  it('answers 404 to a non-member replying, whether or not the parent exists, and writes nothing', async () => {
    const { alice, id, root } = await setup();
    const mallory = (await users(1))[0];
    const before = await history(alice, id, '?limit=100&includeReplies=true');

    const known = await post(mallory, id, 'x', { parentMessageId: root.id });
    const unknown = await post(mallory, id, 'x', { parentMessageId: UNKNOWN_ID });

    expectProblem(known, 404);
    expectProblem(unknown, 404);
    expect(known.body.detail).toBe(unknown.body.detail);
    await expectUnchanged(alice, id, before);
  });

  it('answers 404, not 409, to a non-member replying to a deleted message or a deleted reply', async () => {
    const { alice, bob, id, root, first } = await setup();
    await call(bob, 'DELETE', `/conversations/${id}/messages/${first.id}`);
    await call(alice, 'DELETE', `/conversations/${id}/messages/${root.id}`);
    const mallory = (await users(1))[0];
    const before = await history(alice, id, '?limit=100&includeReplies=true');

    const toRoot = await post(mallory, id, 'x', { parentMessageId: root.id });
    const toReply = await post(mallory, id, 'x', { parentMessageId: first.id });
    const unknown = await post(mallory, id, 'x', { parentMessageId: UNKNOWN_ID });

    expectProblem(toRoot, 404);
    expectProblem(toReply, 404);
    expect(toRoot.body.detail).toBe(unknown.body.detail);
    expect(toReply.body.detail).toBe(unknown.body.detail);
    await expectUnchanged(alice, id, before);
  });
});

describe('thread events', () => {
  it("delivers a reply's message.created with parentMessageId and the root's message.updated with its count, over a real WebSocket and in /sync", async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'root');
    await api.drainStreams();
    const since = (await call(bob, 'GET', '/sync')).nextCursor as string;
    const socket = await connect(api.wsUrl, bob.token);
    opened.push(socket);

    const answer = await reply(alice, id, root.id, 'in thread');
    const created = await socket.waitFor<MessageEvent>(
      (event) => event.type === 'message.created' && event.message.id === answer.id,
    );
    const updated = await socket.waitFor<MessageEvent>(
      (event) => event.type === 'message.updated' && event.message.id === root.id,
    );
    await api.drainStreams();
    const sync = await call(bob, 'GET', `/sync?since=${encodeURIComponent(since)}`);

    expect(created.message.parentMessageId).toBe(root.id);
    expect(updated.message).toMatchObject({ replyCount: 1, lastReplyAt: answer.createdAt });
    // One transaction wrote both items: their stream records (so the two events) may come in either order.
    const types = (sync.events as { type: string; message: Msg }[]).map((e) => `${e.type} ${e.message.id}`);
    expect(types.sort()).toEqual([`message.created ${answer.id}`, `message.updated ${root.id}`].sort());
  });

  it('counts replies from others as unread and shows the latest reply as the inbox preview', async () => {
    const [alice, bob] = await users(2);
    const id = await group(alice, [bob]);
    const root = await send(alice, id, 'root');
    const answer = await reply(alice, id, root.id, 'reply');
    await api.drainStreams();

    const inbox = await call(bob, 'GET', '/conversations');
    const entry = inbox.items.find((item: { id: string }) => item.id === id);

    expect(entry).toMatchObject({ unreadCount: 2, lastMessage: { id: answer.id } });
  });
});
