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

  it('answers 404 for an unknown route and 400 for a malformed path encoding, as API Gateway does', async () => {
    const user = await signUpAndLogin(api);

    const unknown = await api.request('GET', '/nowhere', { token: user.token });
    const malformed = await api.request('GET', '/users/%E0%A4%A', { token: user.token });

    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
  });
});
