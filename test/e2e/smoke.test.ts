import { describe, expect, it } from 'vitest';
import { signUpAndLogin, useApi } from '../support/api';

const api = useApi();

describe('local gateway', () => {
  it('answers the health check without a token', async () => {
    const response = await api.request('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('signs up, logs in and reads the own profile with the token', async () => {
    const user = await signUpAndLogin(api);
    const me = await api.request('GET', '/users/me', { token: user.token });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe(user.username);
  });
});
