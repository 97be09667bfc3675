/**
 * Administrators (issue 13): the role is read from the table on every call; every admin route refuses
 * non-admins; disabling ends logins, refreshes, sessions and sockets; moderation removes any message; every
 * action is in the audit log.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { routes } from '../../functions/shared/routes';
import { type SignedInUser, signUpAndLogin, uniqueUsername, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';
import { connect, refusalStatus, type TestSocket } from '../support/ws';

const api = useApi();
const { users, call, group, send } = conversationHelpers(api);

/**
 * What `npm run admin -- grant` does (test/e2e/admin-command.test.ts runs the command itself), called here.
 * Imported once the stack runs: function modules read their configuration (the WebSocket endpoint) at load.
 */
async function changeRole(username: string, role: 'admin' | null) {
  const admin = await import('../../functions/shared/domain/admin');
  return admin.changeRole(username, role);
}

async function newAdmin(): Promise<SignedInUser> {
  const admin = await signUpAndLogin(api);
  await changeRole(admin.username, 'admin');
  return admin;
}

function closedWithin(socket: TestSocket, timeoutMs = 15_000): Promise<number> {
  if (socket.socket.readyState === WebSocket.CLOSED) return Promise.resolve(1000);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket stayed open')), timeoutMs);
    socket.socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const ULID = '01J00000000000000000000000';
const adminRoutes = routes.filter((route) => route.path.startsWith('/admin/'));
/** A valid request to each admin route, so that only the caller's role can refuse it. */
const validRequests: Record<string, { path: string; body?: unknown }> = {
  'admin-list-users': { path: '/admin/users?query=a' },
  'admin-get-user': { path: `/admin/users/${ULID}` },
  'admin-delete-user': { path: `/admin/users/${ULID}` },
  'admin-disable-user': { path: `/admin/users/${ULID}/disable` },
  'admin-enable-user': { path: `/admin/users/${ULID}/enable` },
  'admin-remove-message': { path: `/admin/conversations/${ULID}/messages/${ULID}` },
  'admin-list-audit': { path: '/admin/audit' },
  'admin-list-reports': { path: '/admin/reports' },
  'admin-resolve-report': { path: `/admin/reports/${ULID}/resolve`, body: { action: 'dismiss' } },
};

describe('admin routes refuse everyone but administrators', () => {
  it('knows a valid request for every admin route of the route table', () => {
    expect(adminRoutes.map((route) => route.name).sort()).toEqual(Object.keys(validRequests).sort());
  });

  it.each(adminRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: 403 admin-required for a signed-in user who is not an administrator',
    async (_key, route) => {
      const user = await signUpAndLogin(api);
      const request = validRequests[route.name];
      if (!request) throw new Error(`no request for ${route.name}`);
      const response = await api.request(route.method, request.path, {
        token: user.token,
        body: request.body,
      });
      expectProblem(response, 403);
      expect(response.body.type).toBe('urn:chat-backend:problem:admin-required');
    },
  );

  it.each(adminRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: 401 without a token',
    async (_key, route) => {
      const request = validRequests[route.name];
      if (!request) throw new Error(`no request for ${route.name}`);
      expectProblem(await api.request(route.method, request.path, { body: request.body }), 401);
    },
  );

  it('refuses a revoked administrator at once, with the access token issued while they were one', async () => {
    const admin = await newAdmin();
    expect((await api.request('GET', '/admin/audit', { token: admin.token })).status).toBe(200);

    await changeRole(admin.username, null);

    expectProblem(await api.request('GET', '/admin/audit', { token: admin.token }), 403);
  });
});

describe('GET /admin/users', () => {
  it('finds users by username prefix in any case, in username order, page by page', async () => {
    const admin = await newAdmin();
    const stem = uniqueUsername('Find').slice(0, 20);
    const names = [`${stem}_b`, `${stem}_A`, `${stem}_c`];
    for (const username of names) await signUpAndLogin(api, { username });
    await signUpAndLogin(api, { username: `x${stem}` }); // contains the stem, does not start with it

    const first = await call(admin, 'GET', `/admin/users?query=${stem.toUpperCase()}&limit=2`);
    const second = await call(
      admin,
      'GET',
      `/admin/users?query=${stem.toUpperCase()}&limit=2&cursor=${first.nextCursor}`,
    );

    const found = [...first.items, ...second.items].map((user: { username: string }) => user.username);
    expect(found).toEqual([`${stem}_A`, `${stem}_b`, `${stem}_c`]);
    expect(first.items[0]).toMatchObject({ role: null, disabled: false, disabledAt: null });
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor of another prefix and a query that is no username prefix', async () => {
    const admin = await newAdmin();
    await signUpAndLogin(api, { username: uniqueUsername('pa') });
    await signUpAndLogin(api, { username: uniqueUsername('pa') });
    const page = await call(admin, 'GET', '/admin/users?query=pa&limit=1');

    expectProblem(
      await api.request('GET', `/admin/users?query=pb&cursor=${page.nextCursor}`, { token: admin.token }),
      400,
      '(query) cursor',
    );
    expectProblem(
      await api.request('GET', '/admin/users?query=a%20b', { token: admin.token }),
      400,
      '(query) query',
    );
    expectProblem(
      await api.request('GET', '/admin/users?limit=0', { token: admin.token }),
      400,
      '(query) limit',
    );
    expectProblem(
      await api.request('GET', '/admin/users?unknown=1', { token: admin.token }),
      400,
      '(query) unknown',
    );
  });
});

describe('GET /admin/users/{id}', () => {
  it('shows the profile, role, disabled state, live sessions and last activity', async () => {
    const admin = await newAdmin();
    const user = await signUpAndLogin(api);
    await api.request('POST', '/login', { body: { username: user.username, password: user.password } });

    const details = await call(admin, 'GET', `/admin/users/${user.id}`);
    const own = await call(admin, 'GET', `/admin/users/${admin.id}`);

    expect(details).toMatchObject({
      id: user.id,
      username: user.username,
      role: null,
      disabled: false,
      sessionsCount: 2,
      lastActiveAt: expect.any(String),
    });
    expect(own.role).toBe('admin');
    expectProblem(await api.request('GET', `/admin/users/${ULID}`, { token: admin.token }), 404);
  });
});

describe('disabling an account', () => {
  it('refuses its login and refresh with 403 account-disabled, closes its sockets and ends its sessions', async () => {
    const admin = await newAdmin();
    const user = await signUpAndLogin(api);
    const socket = await connect(api.wsUrl, user.token);

    const disabled = await api.request('POST', `/admin/users/${user.id}/disable`, { token: admin.token });
    await api.drainStreams();

    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: user.id, disabled: true, disabledAt: expect.any(String) });
    await closedWithin(socket);
    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    expectProblem(login, 403);
    expect(login.body.type).toBe('urn:chat-backend:problem:account-disabled');
    const refresh = await api.request('POST', '/token/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expectProblem(refresh, 403);
    expect(refresh.body.type).toBe('urn:chat-backend:problem:account-disabled');
    // Its session is gone, so its access token opens no new socket.
    expect(await refusalStatus(`${api.wsUrl}/?token=${encodeURIComponent(user.token)}`)).toBe(401);
    expect((await call(admin, 'GET', `/admin/users/${user.id}`)).sessionsCount).toBe(0);
  });

  it('still says a wrong password is wrong (401), so a disabled account is not revealed to a guesser', async () => {
    const admin = await newAdmin();
    const user = await signUpAndLogin(api);
    await call(admin, 'POST', `/admin/users/${user.id}/disable`);

    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: 'wrong password' },
    });

    expectProblem(login, 401);
  });

  it('lets the account log in again once enabled', async () => {
    const admin = await newAdmin();
    const user = await signUpAndLogin(api);
    await call(admin, 'POST', `/admin/users/${user.id}/disable`);

    const enabled = await call(admin, 'POST', `/admin/users/${user.id}/enable`);
    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });

    expect(enabled).toMatchObject({ disabled: false, disabledAt: null });
    expect(login.status).toBe(200);
  });

  it('takes administration away from a disabled administrator', async () => {
    const admin = await newAdmin();
    const other = await newAdmin();
    await call(admin, 'POST', `/admin/users/${other.id}/disable`);

    expectProblem(await api.request('GET', '/admin/audit', { token: other.token }), 403);
  });

  it('refuses to disable yourself (409) and an unknown user (404), and is idempotent', async () => {
    const admin = await newAdmin();
    const user = await signUpAndLogin(api);

    expectProblem(await api.request('POST', `/admin/users/${admin.id}/disable`, { token: admin.token }), 409);
    expectProblem(await api.request('POST', `/admin/users/${ULID}/disable`, { token: admin.token }), 404);
    expectProblem(await api.request('POST', `/admin/users/${ULID}/enable`, { token: admin.token }), 404);
    await call(admin, 'POST', `/admin/users/${user.id}/disable`);
    const again = await api.request('POST', `/admin/users/${user.id}/disable`, { token: admin.token });
    expect(again.status).toBe(200);
  });
});

describe('DELETE /admin/users/{id}', () => {
  it('deletes an account as its owner could: it ends at once, its data goes, and the audit log says who did it', async () => {
    const admin = await newAdmin();
    const user = await signUpAndLogin(api);
    const socket = await connect(api.wsUrl, user.token);

    const deleted = await api.request('DELETE', `/admin/users/${user.id}`, { token: admin.token });
    await api.drainStreams();

    expect(deleted.status).toBe(202);
    expect(deleted.body).toMatchObject({ status: 'deleting', requestedAt: expect.any(String) });
    await closedWithin(socket);
    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    expectProblem(login, 401);
    expectProblem(await api.request('GET', `/users/${user.id}`, { token: admin.token }), 404);
    const audit = await call(admin, 'GET', '/admin/audit');
    expect(audit.items[0]).toMatchObject({
      actorId: admin.id,
      action: 'user.delete',
      target: { type: 'user', id: user.id },
      details: { username: user.username },
    });
  });

  it('answers the status again for an account already being deleted, 404 for an unknown one, 409 for yourself', async () => {
    const admin = await newAdmin();
    const user = await signUpAndLogin(api);
    await call(admin, 'DELETE', `/admin/users/${user.id}`);

    const again = await api.request('DELETE', `/admin/users/${user.id}`, { token: admin.token });

    expect(again.status).toBe(202);
    expectProblem(await api.request('DELETE', `/admin/users/${ULID}`, { token: admin.token }), 404);
    expectProblem(await api.request('DELETE', `/admin/users/${admin.id}`, { token: admin.token }), 409);
  });
});

describe('DELETE /admin/conversations/{id}/messages/{messageId}', () => {
  it('removes a message of a conversation the administrator is not in; members see a moderation tombstone', async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId, 'something abusive');
    await api.drainStreams();
    const bobSocket = await connect(api.wsUrl, bob.token);

    const removed = await api.request(
      'DELETE',
      `/admin/conversations/${conversationId}/messages/${messageId}`,
      {
        token: admin.token,
      },
    );
    await api.drainStreams();

    expect(removed.status).toBe(204);
    const event = await bobSocket.waitFor((one) => one.type === 'message.deleted');
    expect(event).toMatchObject({ message: { id: messageId, content: null, removedByModeration: true } });
    const history = await call(bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.items.find((item: { id: string }) => item.id === messageId)).toMatchObject({
      content: null,
      deletedAt: expect.any(String),
      removedByModeration: true,
    });
    await bobSocket.close();
  });

  it('answers 404 for a message that does not exist, and 204 for one already deleted', async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    await call(alice, 'DELETE', `/conversations/${conversationId}/messages/${messageId}`);

    expectProblem(
      await api.request('DELETE', `/admin/conversations/${conversationId}/messages/${ULID}`, {
        token: admin.token,
      }),
      404,
    );
    expectProblem(
      await api.request('DELETE', `/admin/conversations/${conversationId}/messages/not-an-id`, {
        token: admin.token,
      }),
      404,
    );
    const again = await api.request(
      'DELETE',
      `/admin/conversations/${conversationId}/messages/${messageId}`,
      {
        token: admin.token,
      },
    );
    expect(again.status).toBe(204);
    const history = await call(bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.items[0].removedByModeration).toBeUndefined();
  });
});

describe('GET /admin/audit', () => {
  it('records who did what to whom and when, newest first, page by page', async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);

    await call(admin, 'POST', `/admin/users/${bob.id}/disable`);
    await call(admin, 'POST', `/admin/users/${bob.id}/enable`);
    await call(admin, 'DELETE', `/admin/conversations/${conversationId}/messages/${messageId}`);
    const first = await call(admin, 'GET', '/admin/audit?limit=2');
    const second = await call(admin, 'GET', `/admin/audit?limit=2&cursor=${first.nextCursor}`);

    expect(first.items).toEqual([
      expect.objectContaining({
        action: 'message.remove',
        actorId: admin.id,
        actor: admin.username,
        target: { type: 'message', id: messageId, conversationId },
        at: expect.any(String),
      }),
      expect.objectContaining({ action: 'user.enable', target: { type: 'user', id: bob.id } }),
    ]);
    expect(second.items[0]).toMatchObject({ action: 'user.disable', target: { type: 'user', id: bob.id } });
    expectProblem(await api.request('GET', '/admin/audit?cursor=nonsense', { token: admin.token }), 400);
  });

  it('records the role granted from the command line, with the command line as the actor', async () => {
    const admin = await newAdmin();

    const log = await call(admin, 'GET', '/admin/audit?limit=100');

    expect(log.items).toContainEqual(
      expect.objectContaining({
        action: 'role.grant',
        actorId: null,
        actor: 'command-line',
        target: { type: 'user', id: admin.id },
        details: { username: admin.username, role: 'admin' },
      }),
    );
  });
});
