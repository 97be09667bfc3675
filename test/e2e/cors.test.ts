/** CORS on the local gateway: the web app's origin (and configured ones) may read answers; no other page may. */
import { describe, expect, it } from 'vitest';
import { signUpAndLogin, useApi } from '../support/api';

const APP = 'http://localhost:3003';
const CONFIGURED = 'https://chat.example.com';
const api = useApi({ allowedOrigins: [APP, CONFIGURED] });

const preflight = (origin: string) =>
  fetch(`${api.url}/conversations`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('CORS', () => {
  it('answers a preflight from the app origin and from a configured origin with what they may send', async () => {
    for (const origin of [APP, CONFIGURED]) {
      const response = await preflight(origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    }
  });

  it('gives a preflight from any other origin no permission', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:3004', 'null']) {
      const response = await preflight(origin);
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(response.headers.get('access-control-allow-methods'), origin).toBeNull();
    }
  });

  it('lets the app origin read an answer (and its Location header), never with "*"', async () => {
    const user = await signUpAndLogin(api);
    const response = await api.request('GET', '/users/me', { token: user.token, headers: { origin: APP } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-expose-headers')).toContain('location');
    expect(response.headers.get('vary')).toMatch(/origin/i);
  });

  it('answers another origin without an allow-origin header, so its page cannot read the answer', async () => {
    const user = await signUpAndLogin(api);
    const response = await api.request('GET', '/users/me', {
      token: user.token,
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('puts the allow-origin header on error answers too, so the app can show the problem details', async () => {
    const response = await api.request('GET', '/users/me', { headers: { origin: APP } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
  });
});
