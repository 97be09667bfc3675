/**
 * Notes to self: a direct conversation with oneself, through the local stack. One per user (also under
 * races), with the user as its only member; it behaves like any direct conversation (send, edit, delete,
 * history, /sync, events reach the user's sockets once), shows in the inbox and never has anything unread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../functions/shared/schemas/realtime';
import { type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();

const opened: TestSocket[] = [];
afterEach(async () => {
  const sockets = opened.splice(0);
  await Promise.all(sockets.map((socket) => socket.close()));
  for (const socket of sockets) expect(socket.invalid).toEqual([]);
});

async function call(user: SignedInUser, method: string, path: string, body?: unknown) {
  const response = await api.request(method, path, { token: user.token, body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

const startNotes = (user: SignedInUser) =>
  api.request('POST', '/conversations', { token: user.token, body: { type: 'direct', userId: user.id } });

const send = async (user: SignedInUser, conversationId: string, text: string): Promise<{ id: string }> =>
  call(user, 'POST', `/conversations/${conversationId}/messages`, { content: { type: 'text', text } });

async function inboxEntry(user: SignedInUser, conversationId: string) {
  const inbox = await call(user, 'GET', '/conversations?limit=100');
  return (inbox.items as { id: string; unreadCount: number; lastMessage: { id: string } | null }[]).find(
    (item) => item.id === conversationId,
  );
}

describe('notes to self', () => {
  it('starts a direct conversation with the caller as its only member, 201 then 200 with the same one', async () => {
    const alice = await signUpAndLogin(api);

    const first = await startNotes(alice);
    const second = await startNotes(alice);

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(first.body).toMatchObject({ type: 'direct', memberCount: 1, myRole: 'member' });
    expect(second.body.memberCount).toBe(1);
    expect(second.body.members.map((member: { userId: string }) => member.userId)).toEqual([alice.id]);
  });

  it('makes exactly one conversation when started many times at once', async () => {
    const alice = await signUpAndLogin(api);

    const responses = await Promise.all(Array.from({ length: 8 }, () => startNotes(alice)));

    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 200)).toHaveLength(7);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    const inbox = await call(alice, 'GET', '/conversations?limit=100');
    expect(inbox.items).toHaveLength(1);
  });

  it("is each user's own: another user's notes are a different conversation they cannot read", async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const alices = (await startNotes(alice)).body.id as string;
    const bobs = (await startNotes(bob)).body.id as string;

    const peek = await api.request('GET', `/conversations/${alices}/messages`, { token: bob.token });

    expect(bobs).not.toBe(alices);
    expectProblem(peek, 404);
  });

  it('sends, edits, deletes and lists messages like any direct conversation', async () => {
    const alice = await signUpAndLogin(api);
    const id = (await startNotes(alice)).body.id as string;

    const kept = await send(alice, id, 'buy milk');
    const dropped = await send(alice, id, 'call mum');
    const edited = await call(alice, 'PATCH', `/conversations/${id}/messages/${kept.id}`, {
      text: 'buy oat milk',
    });
    await call(alice, 'DELETE', `/conversations/${id}/messages/${dropped.id}`);
    const history = await call(alice, 'GET', `/conversations/${id}/messages`);

    expect(edited.content).toEqual({ type: 'text', text: 'buy oat milk' });
    expect(history.items.map((message: { id: string }) => message.id)).toEqual([dropped.id, kept.id]);
    expect(history.items[0]).toMatchObject({ content: null, deletedAt: expect.any(String) });
    expect(history.items[1]).toMatchObject({
      senderId: alice.id,
      content: { type: 'text', text: 'buy oat milk' },
    });
  });

  it('starts on first use through the older POST /messages with recipient = sender', async () => {
    const alice = await signUpAndLogin(api);

    const sent = await api.request('POST', '/messages', {
      token: alice.token,
      bareToken: true,
      body: { sender: alice.id, recipient: alice.id, content: { type: 'string', text: 'note' } },
    });
    const notes = await startNotes(alice);

    expect(sent.status).toBe(201);
    expect(notes.status).toBe(200);
    expect(sent.body.conversationId).toBe(notes.body.id);
    const listed = await api.request('GET', `/messages?recipient=${alice.id}`, {
      token: alice.token,
      bareToken: true,
    });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(sent.body.id);
  });

  it('shows in the inbox with the latest note as preview and nothing unread, the badge agreeing', async () => {
    const alice = await signUpAndLogin(api);
    const id = (await startNotes(alice)).body.id as string;

    await send(alice, id, 'one');
    const last = await send(alice, id, 'two');
    await api.drainStreams();
    const entry = await inboxEntry(alice, id);
    const sync = await call(alice, 'GET', '/sync');

    expect(entry).toMatchObject({ unreadCount: 0, lastMessage: { id: last.id } });
    const synced = (sync.inbox.items as { id: string; unreadCount: number }[]).find((c) => c.id === id);
    expect(synced?.unreadCount).toBe(0);
  });

  it("delivers each event once to each of the user's own sockets, and lists it once in /sync", async () => {
    const alice = await signUpAndLogin(api);
    const id = (await startNotes(alice)).body.id as string;
    const start = (await call(alice, 'GET', '/sync')).nextCursor as string;
    const sockets = await Promise.all([connect(api.wsUrl, alice.token), connect(api.wsUrl, alice.token)]);
    opened.push(...sockets);
    const isNote = (event: RealtimeEvent) => event.type === 'message.created' && event.conversationId === id;

    const sent = await send(alice, id, 'remember this');
    await Promise.all(sockets.map((socket) => socket.waitFor(isNote)));
    await api.drainStreams();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const changes = await call(alice, 'GET', `/sync?since=${encodeURIComponent(start)}`);

    for (const socket of sockets) expect(socket.events.filter(isNote)).toHaveLength(1);
    const created = (changes.events as { type: string; message?: { id: string } }[]).filter(
      (event) => event.type === 'message.created',
    );
    expect(created.map((event) => event.message?.id)).toEqual([sent.id]);
  });
});
