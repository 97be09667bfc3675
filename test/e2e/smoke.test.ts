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

  it("answers an unknown route with API Gateway's own 404, as on AWS", async () => {
    const user = await signUpAndLogin(api);

    const unknown = await api.request('GET', '/nowhere', { token: user.token });

    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json');
    expect(unknown.body).toEqual({ message: 'Not Found' });
  });

  it('answers a path with a malformed percent-encoding with a 400 problem naming the path', async () => {
    const user = await signUpAndLogin(api);

    for (const path of ['/users/%E0%A4%A', '/users/%ZZ']) {
      const malformed = await api.request('GET', path, { token: user.token });

      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toBe('application/problem+json');
      expect(malformed.body).toMatchObject({
        type: 'urn:chat-backend:problem:validation-error',
        status: 400,
        errors: [{ field: '(path)', message: 'has a malformed percent-encoding' }],
      });
    }
  });
});
