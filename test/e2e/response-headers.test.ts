/** Headers every API answer carries, success or error: no caching of private data, no content sniffing. */
import { describe, expect, it } from 'vitest';
import { signUpAndLogin, useApi } from '../support/api';

const api = useApi();

describe('API response headers', () => {
  it('sends Cache-Control: no-store and X-Content-Type-Options: nosniff on successes and on every kind of error', async () => {
    const user = await signUpAndLogin(api);

    const answers = await Promise.all([
      api.request('GET', '/users/me', { token: user.token }),
      api.request('GET', '/users/me'),
      api.request('PATCH', '/users/me', { token: user.token, body: { displayName: '' } }),
      api.request('GET', '/users/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: user.token }),
      api.request('POST', '/login', {
        rawBody: '{not json',
        headers: { 'content-type': 'application/json' },
      }),
      api.request('POST', '/logout/all', { token: user.token }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 400, 404, 400, 204]);
    for (const answer of answers) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('lets the public JWKS keep its own caching, still with nosniff', async () => {
    const response = await api.request('GET', '/.well-known/jwks.json');

    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
