/** Sessions through the local HTTP gateway: listing, refresh within a session, reuse detection, ending them. */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { hashPassword, scryptParams } from '../../functions/shared/auth/passwords';
import { getUsernameClaim, replacePasswordHash } from '../../functions/shared/data/users-store';
import { type ApiResponse, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const sessionOf = (accessToken: string) => decodeJwt(accessToken).sid as string;

async function login(user: SignedInUser, userAgent = 'second-device/1.0', password = user.password) {
  const response = await api.request('POST', '/login', {
    body: { username: user.username, password },
    headers: { 'user-agent': userAgent },
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return { token: response.body.token as string, refreshToken: response.body.refreshToken as string };
}

const refresh = (refreshToken: string) => api.request('POST', '/token/refresh', { body: { refreshToken } });
const listSessions = (token: string) => api.request('GET', '/sessions', { token });

function expectUnauthorized(response: ApiResponse) {
  expectProblem(response, 401);
}

describe('GET /sessions', () => {
  it("lists the caller's sessions newest first, with user agent, times, and current only for the caller's own", async () => {
    const user = await signUpAndLogin(api);
    const phone = await login(user, 'phone-app/2.1');

    const response = await listSessions(phone.token);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body.items).toEqual([
      {
        id: sessionOf(phone.token),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        userAgent: 'phone-app/2.1',
        current: true,
      },
      {
        id: sessionOf(user.token),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        userAgent: expect.any(String),
        current: false,
      },
    ]);
  });

  it("never shows another user's sessions", async () => {
    const user = await signUpAndLogin(api);
    const other = await signUpAndLogin(api);

    const response = await listSessions(user.token);

    expect(response.body.items.map((session: { id: string }) => session.id)).toEqual([sessionOf(user.token)]);
    expect(response.text).not.toContain(sessionOf(other.token));
  });

  it('answers 401 without a token', async () => {
    expectUnauthorized(await api.request('GET', '/sessions'));
  });
});

describe('refresh within a session', () => {
  it('keeps the session: the new access token has the same sid and the session shows its last use', async () => {
    const user = await signUpAndLogin(api);
    const before = (await listSessions(user.token)).body.items[0];
    await new Promise((resolve) => setTimeout(resolve, 20));

    const refreshed = await refresh(user.refreshToken);

    expect(refreshed.status).toBe(200);
    expect(sessionOf(refreshed.body.token)).toBe(sessionOf(user.token));
    const after = (await listSessions(refreshed.body.token)).body.items;
    expect(after).toHaveLength(1);
    expect(after[0].lastUsedAt > before.lastUsedAt).toBe(true);
    expect(after[0].createdAt).toBe(before.createdAt);
  });

  it('ends the whole session when a rotated refresh token is presented again: the legitimate holder is logged out too', async () => {
    const user = await signUpAndLogin(api);
    const other = await login(user, 'other-device');
    const legitimate = await refresh(user.refreshToken);
    expect(legitimate.status).toBe(200);

    const replayed = await refresh(user.refreshToken);

    expectUnauthorized(replayed);
    expect(replayed.body.detail).toMatch(/already used/);
    expectUnauthorized(await refresh(legitimate.body.refreshToken));
    const remaining = await listSessions(other.token);
    expect(remaining.body.items.map((session: { id: string }) => session.id)).toEqual([
      sessionOf(other.token),
    ]);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('does not end a session for a token that was never issued, even one naming the right user and session', async () => {
    const user = await signUpAndLogin(api);
    const [userId, sessionId] = user.refreshToken.split('.');
    const forged = `${userId}.${sessionId}.${randomBytes(32).toString('base64url')}`;

    expectUnauthorized(await refresh(forged));

    expect((await refresh(user.refreshToken)).status).toBe(200);
  });
});

describe('DELETE /sessions/{id}', () => {
  it('ends one session: its refresh token stops working, the others keep working', async () => {
    const user = await signUpAndLogin(api);
    const laptop = await login(user, 'laptop');

    const response = await api.request('DELETE', `/sessions/${sessionOf(laptop.token)}`, {
      token: user.token,
    });

    expect(response.status).toBe(204);
    expectUnauthorized(await refresh(laptop.refreshToken));
    expect((await refresh(user.refreshToken)).status).toBe(200);
  });

  it("answers 404 for another user's session and leaves it working", async () => {
    const user = await signUpAndLogin(api);
    const victim = await signUpAndLogin(api);

    const response = await api.request('DELETE', `/sessions/${sessionOf(victim.token)}`, {
      token: user.token,
    });

    expectProblem(response, 404);
    expect((await refresh(victim.refreshToken)).status).toBe(200);
  });

  it('answers 404 for an unknown session, and for one already ended', async () => {
    const user = await signUpAndLogin(api);
    const laptop = await login(user, 'laptop');
    await api.request('DELETE', `/sessions/${sessionOf(laptop.token)}`, { token: user.token });

    expectProblem(
      await api.request('DELETE', '/sessions/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: user.token }),
      404,
    );
    expectProblem(
      await api.request('DELETE', `/sessions/${sessionOf(laptop.token)}`, { token: user.token }),
      404,
    );
  });

  it('answers 400 for an id longer than any id, and 401 without a token', async () => {
    const user = await signUpAndLogin(api);

    expectProblem(
      await api.request('DELETE', `/sessions/${'A'.repeat(65)}`, { token: user.token }),
      400,
      '(path) id',
    );
    expectUnauthorized(await api.request('DELETE', `/sessions/${sessionOf(user.token)}`));
  });
});

describe('POST /logout and POST /logout/all', () => {
  it("POST /logout ends the token's session, which leaves the sessions list", async () => {
    const user = await signUpAndLogin(api);
    const laptop = await login(user, 'laptop');

    const response = await api.request('POST', '/logout', { body: { refreshToken: laptop.refreshToken } });

    expect(response.status).toBe(204);
    const sessions = await listSessions(user.token);
    expect(sessions.body.items.map((session: { id: string }) => session.id)).toEqual([sessionOf(user.token)]);
  });

  it('POST /logout with a forged token naming a real session does not end it', async () => {
    const user = await signUpAndLogin(api);
    const [userId, sessionId] = user.refreshToken.split('.');

    const response = await api.request('POST', '/logout', {
      body: { refreshToken: `${userId}.${sessionId}.${randomBytes(32).toString('base64url')}` },
    });

    expect(response.status).toBe(204);
    expect((await refresh(user.refreshToken)).status).toBe(200);
  });

  it('POST /logout/all ends every session of the caller, the calling one included, and no one else', async () => {
    const user = await signUpAndLogin(api);
    const devices = await Promise.all([login(user, 'a'), login(user, 'b'), login(user, 'c')]);
    const other = await signUpAndLogin(api);

    const response = await api.request('POST', '/logout/all', { token: user.token });

    expect(response.status).toBe(204);
    for (const token of [user.refreshToken, ...devices.map((device) => device.refreshToken)]) {
      expectUnauthorized(await refresh(token));
    }
    expect((await listSessions(user.token)).body.items).toEqual([]);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('POST /logout/all answers 401 without a token', async () => {
    expectUnauthorized(await api.request('POST', '/logout/all'));
  });
});

describe('POST /users/me/password', () => {
  const changePassword = (token: string, body: unknown) =>
    api.request('POST', '/users/me/password', { token, body });

  it('changes the password and ends every other session, keeping the current one', async () => {
    const user = await signUpAndLogin(api);
    const laptop = await login(user, 'laptop');

    const response = await changePassword(user.token, {
      currentPassword: user.password,
      newPassword: 'a brand new password',
    });

    expect(response.status).toBe(204);
    expectUnauthorized(await refresh(laptop.refreshToken));
    expect((await refresh(user.refreshToken)).status).toBe(200);
    const oldPassword = await api.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    expectUnauthorized(oldPassword);
    await expect(login(user, 'x', 'a brand new password')).resolves.toBeDefined();
  });

  it('answers 403 naming currentPassword when it is wrong, and changes nothing', async () => {
    const user = await signUpAndLogin(api);
    const laptop = await login(user, 'laptop');

    const response = await changePassword(user.token, {
      currentPassword: 'not the password',
      newPassword: 'a brand new password',
    });

    expectProblem(response, 403, 'currentPassword');
    expect((await refresh(laptop.refreshToken)).status).toBe(200);
    await expect(login(user, 'x')).resolves.toBeDefined();
  });

  it.each([
    [
      'a new password that is too short',
      { currentPassword: 'a long enough password', newPassword: 'short' },
      'newPassword',
    ],
    [
      'a new password that is too long',
      { currentPassword: 'a long enough password', newPassword: 'x'.repeat(257) },
      'newPassword',
    ],
    ['no current password', { newPassword: 'a brand new password' }, 'currentPassword'],
    [
      'an empty current password',
      { currentPassword: '', newPassword: 'a brand new password' },
      'currentPassword',
    ],
    [
      'a number as the new password',
      { currentPassword: 'a long enough password', newPassword: 12345678 },
      'newPassword',
    ],
    [
      'an unknown field',
      { currentPassword: 'a long enough password', newPassword: 'a brand new password', userId: 'x' },
      'userId',
    ],
  ])('answers 400 for %s', async (_name, body, field) => {
    const user = await signUpAndLogin(api);

    expectProblem(await changePassword(user.token, body), 400, field);

    await expect(login(user, 'x')).resolves.toBeDefined();
  });

  it('answers 401 without a token', async () => {
    expectUnauthorized(
      await api.request('POST', '/users/me/password', {
        body: { currentPassword: 'a long enough password', newPassword: 'a brand new password' },
      }),
    );
  });
});

describe('password hashes', () => {
  it('upgrades a hash made with older, weaker parameters at the next successful login, and only then', async () => {
    const user = await signUpAndLogin(api);
    const claim = await getUsernameClaim(user.username);
    const weak = await hashPassword(user.password, scryptParams(10));
    await replacePasswordHash(user.username, user.id, claim?.passwordHash ?? '', weak);

    const failed = await api.request('POST', '/login', {
      body: { username: user.username, password: 'not the password' },
    });
    expect((await getUsernameClaim(user.username))?.passwordHash).toBe(weak);
    await login(user);

    expectUnauthorized(failed);
    const upgraded = (await getUsernameClaim(user.username))?.passwordHash ?? '';
    expect(upgraded.split('$').slice(0, 4)).toEqual(['scrypt', String(2 ** 12), '8', '1']);
    await expect(login(user)).resolves.toBeDefined();
    expect((await getUsernameClaim(user.username))?.passwordHash).toBe(upgraded);
  });
});
