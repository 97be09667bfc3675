/**
 * `DELETE /users/me` is no way around the failed-login limit: a wrong password counts on the account's
 * `failed-logins` counter, the one `POST /login` uses, so five wrong guesses here lock both for the window.
 * Limits are on in this file.
 */
import { describe, expect, it } from 'vitest';
import { signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi({ env: { RATE_LIMITS: 'on' } });

describe('DELETE /users/me and the failed-login limit', () => {
  it('counts wrong passwords as failed logins of the account, then refuses deletion and login with 429', async () => {
    const user = await signUpAndLogin(api);
    const attempt = (password: string) =>
      api.request('DELETE', '/users/me', { token: user.token, body: { password } });

    for (let guess = 0; guess < 5; guess++)
      expectProblem(await attempt(`wrong guess ${guess}`), 403, 'password');
    const refused = await attempt(user.password);
    const login = await api.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });

    expectProblem(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expectProblem(login, 429);
    // Nothing was deleted.
    expect((await api.request('GET', '/users/me', { token: user.token })).status).toBe(200);
  });

  it('gives the attempt back when the password is right', async () => {
    const user = await signUpAndLogin(api);
    for (let guess = 0; guess < 4; guess++) {
      expectProblem(
        await api.request('DELETE', '/users/me', { token: user.token, body: { password: 'wrong' } }),
        403,
      );
    }

    const deleted = await api.request('DELETE', '/users/me', {
      token: user.token,
      body: { password: user.password },
    });

    expect(deleted.status).toBe(202);
  });
});
