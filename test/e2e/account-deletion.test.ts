/**
 * Deleting an account (`DELETE /users/me`) through the local stack: the account ends at once (sessions,
 * sockets, login), the sweep (table stream) takes the user out of every conversation with ownership handed
 * on, anonymises their messages while the other members' history stays whole, and frees the username after
 * the cooling period (shortened here to 2 s), not before.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';
import { uploadImage } from '../support/uploads';
import { connect, refusalStatus, type TestSocket } from '../support/ws';

const COOLING_SECONDS = 2;
const api = useApi({ env: { USERNAME_COOLING_SECONDS: String(COOLING_SECONDS) } });
const { users, call, group, send } = conversationHelpers(api);

/** Resolves once the server closes the socket; rejects if it stays open. */
function closedWithin(socket: TestSocket, timeoutMs = 15_000): Promise<void> {
  if (socket.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket stayed open')), timeoutMs);
    socket.socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const deleteAccount = (user: SignedInUser, password = user.password) =>
  api.request('DELETE', '/users/me', { token: user.token, body: { password } });

const messagesOf = async (user: SignedInUser, conversationId: string) =>
  (await call(user, 'GET', `/conversations/${conversationId}/messages?includeReplies=true`)).items as any[];

describe('DELETE /users/me', () => {
  it('ends the account at once: its refresh token, its login and its open socket stop working', async () => {
    const [user] = await users(1);
    const socket = await connect(api.wsUrl, user.token);

    const deleted = await deleteAccount(user);

    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual({ status: 'deleting', requestedAt: expect.any(String) });
    await api.drainStreams();
    await closedWithin(socket);
    // Its session is gone, so its access token opens no new socket either.
    expect(await refusalStatus(`${api.wsUrl}/?token=${encodeURIComponent(user.token)}`)).toBe(401);
    const refreshed = await api.request('POST', '/token/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expectProblem(refreshed, 401);
    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    expectProblem(login, 401);
    // The access token still verifies until it expires, but there is no account behind it any more.
    expectProblem(await api.request('GET', '/users/me', { token: user.token }), 404);
    expectProblem(await api.request('GET', `/users/${user.id}`, { token: user.token }), 404);
    expectProblem(
      await api.request('GET', `/users/by-username/${user.username}`, { token: user.token }),
      404,
    );
  });

  it('leaves the groups (ownership passes on) and anonymises the messages, keeping the others whole', async () => {
    const [leaver, bob, carol] = await users(3);
    const groupId = await group(leaver, [bob, carol]);
    await call(leaver, 'PATCH', `/conversations/${groupId}/members/${carol.id}`, { role: 'admin' });
    const direct = (await call(bob, 'POST', '/conversations', { type: 'direct', userId: leaver.id })).id;
    const leaverSaid = await send(leaver, groupId, 'my secret');
    const bobSaid = await send(bob, groupId, 'hello all');
    const bobReplied = (
      await call(bob, 'POST', `/conversations/${groupId}/messages`, {
        content: { type: 'text', text: 'an answer' },
        parentMessageId: leaverSaid,
      })
    ).id;
    await call(
      leaver,
      'PUT',
      `/conversations/${groupId}/messages/${bobSaid}/reactions/${encodeURIComponent('👍')}`,
    );
    const leaverDirect = await send(leaver, direct, 'just for you');
    const imageId = await uploadImage(api, leaver);
    const picture = await call(leaver, 'POST', `/conversations/${groupId}/messages`, {
      content: { type: 'image', image: imageId },
    });
    await api.drainStreams();
    expect((await fetch(picture.content.url)).status).toBe(200);

    expect((await deleteAccount(leaver)).status).toBe(202);
    await api.drainStreams();

    const details = await call(bob, 'GET', `/conversations/${groupId}`);
    expect(details.members.map((member: any) => member.userId).sort()).toEqual([bob.id, carol.id].sort());
    // The longest-standing admin becomes owner, as when an owner leaves.
    expect(details.members.find((member: any) => member.userId === carol.id).role).toBe('owner');
    const history = await messagesOf(bob, groupId);
    const byId = new Map(history.map((message) => [message.id, message]));
    // Every message is still there (newest first); the leaver's has no content left, the others' are untouched.
    expect(history.map((message) => message.id)).toEqual([picture.id, bobReplied, bobSaid, leaverSaid]);
    // The picture's file is gone from the bucket (the CDN answers 404 for it now) and its message is a tombstone.
    expect((await fetch(picture.content.url)).status).toBe(404);
    expect(byId.get(picture.id).content ?? null).toBeNull();
    expect(byId.get(leaverSaid)).toMatchObject({ senderId: leaver.id, deletedAt: expect.any(String) });
    expect(byId.get(leaverSaid).content ?? null).toBeNull();
    expect(JSON.stringify(history)).not.toContain('my secret');
    expect(byId.get(bobSaid)).toMatchObject({ content: { type: 'text', text: 'hello all' } });
    expect(byId.get(bobSaid).reactions ?? []).toEqual([]);
    expect(byId.get(bobReplied)).toMatchObject({
      parentMessageId: leaverSaid,
      content: { text: 'an answer' },
    });
    // The direct conversation stays the other member's, with the leaver's message anonymised.
    const directHistory = await messagesOf(bob, direct);
    expect(directHistory.map((message) => message.id)).toEqual([leaverDirect]);
    expect(directHistory[0].deletedAt).toEqual(expect.any(String));
    expect(JSON.stringify(directHistory)).not.toContain('just for you');
    const directDetails = await call(bob, 'GET', `/conversations/${direct}`);
    expect(directDetails.members.map((member: any) => member.userId)).toEqual([bob.id]);
    expectProblem(await api.request('GET', `/users/${leaver.id}`, { token: bob.token }), 404);
  });

  it('runs the sweep idempotently: replaying its steps after it finished changes nothing', async () => {
    const { continueAccountDeletion } = await import('../../functions/shared/domain/account-deletion');
    const { getAccountDeletion } = await import('../../functions/shared/data/account-deletion-store');
    const [leaver, bob] = await users(2);
    const groupId = await group(leaver, [bob]);
    await send(leaver, groupId, 'first');
    await send(bob, groupId, 'second');
    await api.drainStreams();
    expect((await deleteAccount(leaver)).status).toBe(202);
    await api.drainStreams();
    const finished = await getAccountDeletion(leaver.id);
    expect(finished).toMatchObject({ status: 'done' });
    const before = await messagesOf(bob, groupId);

    // Every step again, as a replayed (redriven or duplicated) stream record would run it.
    for (let step = 0; step < (finished?.step ?? 0); step++) {
      const replayed = { ...(finished as NonNullable<typeof finished>), status: 'sweeping' as const, step };
      expect(await continueAccountDeletion({ ...replayed, current: undefined }, { sender: undefined })).toBe(
        false,
      );
      expect(
        await continueAccountDeletion(
          { ...replayed, current: { conversationId: groupId } },
          { sender: undefined },
        ),
      ).toBe(false);
    }
    await api.drainStreams();

    expect(await getAccountDeletion(leaver.id)).toEqual(finished);
    expect(await messagesOf(bob, groupId)).toEqual(before);
    expect((await call(bob, 'GET', `/conversations/${groupId}`)).members.map((m: any) => m.userId)).toEqual([
      bob.id,
    ]);
  });

  it('resumes the sweep where it stopped when a step fails half-way (the stream retries it)', async () => {
    const { dynamo } = await import('../../functions/shared/data/client');
    const { getAccountDeletion } = await import('../../functions/shared/data/account-deletion-store');
    const [leaver, bob] = await users(2);
    const groupId = await group(leaver, [bob]);
    const sent = [await send(leaver, groupId, 'one'), await send(leaver, groupId, 'two')];
    sent.push(await send(leaver, groupId, 'three'));
    await api.drainStreams();
    // A fault DynamoDB Local does not produce: the second anonymising write fails, twice.
    const send_ = dynamo.send.bind(dynamo);
    let anonymising = 0;
    const spy = vi.spyOn(dynamo, 'send').mockImplementation(((command: {
      input: { UpdateExpression?: string };
    }) => {
      if (command.input.UpdateExpression?.startsWith('SET deletedAt = :at, deletedBy = :user')) {
        anonymising += 1;
        if (anonymising === 2 || anonymising === 3) return Promise.reject(new Error('injected fault'));
      }
      return send_(command as never);
    }) as never);

    try {
      expect((await deleteAccount(leaver)).status).toBe(202);
      await api.drainStreams();
    } finally {
      spy.mockRestore();
    }

    expect(anonymising).toBeGreaterThan(3);
    expect(await getAccountDeletion(leaver.id)).toMatchObject({ status: 'done' });
    const history = await messagesOf(bob, groupId);
    expect(history.map((message) => message.id).sort()).toEqual([...sent].sort());
    expect(history.every((message) => message.deletedAt && !message.content)).toBe(true);
    expect((await call(bob, 'GET', `/conversations/${groupId}`)).members).toEqual([
      expect.objectContaining({ userId: bob.id, role: 'owner' }),
    ]);
  });

  it('frees the username after the cooling period, and not before', async () => {
    const user = await signUpAndLogin(api);
    expect((await deleteAccount(user)).status).toBe(202);
    const signUp = () =>
      api.request('POST', '/users', {
        body: { username: user.username.toUpperCase(), password: 'another password' },
      });

    expectProblem(await signUp(), 409, 'username');
    await sleep((COOLING_SECONDS + 1.1) * 1000);
    const again = await signUp();

    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(user.id);
    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: 'another password' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(again.body.id);
  });

  it('refuses a wrong password with 403 and deletes nothing', async () => {
    const [user, friend] = await users(2);
    const groupId = await group(user, [friend]);

    const refused = await deleteAccount(user, 'not my password');

    expectProblem(refused, 403, 'password');
    await api.drainStreams();
    expect((await api.request('GET', '/users/me', { token: user.token })).status).toBe(200);
    expect((await call(friend, 'GET', `/conversations/${groupId}`)).members).toHaveLength(2);
    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    expect(login.status).toBe(200);
  });

  it('answers bad input with 4xx problem details and deletes nothing', async () => {
    const [user] = await users(1);

    expectProblem(await api.request('DELETE', '/users/me', { token: user.token, body: {} }), 400, 'password');
    expectProblem(
      await api.request('DELETE', '/users/me', {
        token: user.token,
        body: { password: user.password, extra: 1 },
      }),
      400,
    );
    expectProblem(
      await api.request('DELETE', '/users/me', { token: user.token, body: { password: 42 } }),
      400,
      'password',
    );
    expectProblem(
      await api.request('DELETE', '/users/me', {
        token: user.token,
        rawBody: '{"password":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expectProblem(await api.request('DELETE', '/users/me', { body: { password: user.password } }), 401);
    expect((await api.request('GET', '/users/me', { token: user.token })).status).toBe(200);
  });
});
