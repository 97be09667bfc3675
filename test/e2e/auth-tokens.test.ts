/** Login, access tokens, refresh-token rotation and logout through the local HTTP gateway. */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { newSigningKey, type PrivateJwk, publicPart } from '../../functions/shared/auth/token-keys';
import { type ApiResponse, type SignedInUser, signUpAndLogin, uniqueUsername, useApi } from '../support/api';
import { AUDIENCE, ISSUER, serverKeySet, signEs256, signHs256 } from '../support/tokens';

const api = useApi();

function expectUnauthorized(response: ApiResponse) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect(response.body).toMatchObject({
    type: 'urn:chat-backend:problem:unauthorized',
    title: expect.any(String),
    status: 401,
    detail: expect.any(String),
  });
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function login(username: string, password: string) {
  return api.request('POST', '/login', { body: { username, password } });
}

describe('login', () => {
  it('answers 200 with a bearer token, its lifetime, a refresh token and the user', async () => {
    const username = uniqueUsername('login');
    const password = 'a long enough password';
    const created = await api.request('POST', '/users', { body: { username, password } });

    const response = await login(username, password);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      refreshToken: expect.any(String),
      user: created.body,
    });
    expect(response.body.expiresIn).toBeGreaterThan(0);
    expect(response.body.refreshToken).not.toBe(response.body.token);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the username in another case than at sign-up', async () => {
    const user = await signUpAndLogin(api, { username: uniqueUsername('CaseLogin') });

    const response = await login(user.username.toLowerCase(), user.password);

    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(user.id);
  });

  it('gives the same 401 body for a wrong password and for an unknown user', async () => {
    const user = await signUpAndLogin(api);

    const wrongPassword = await login(user.username, 'not the password');
    const unknownUser = await login(uniqueUsername('ghost'), 'not the password');

    expectUnauthorized(wrongPassword);
    expectUnauthorized(unknownUser);
    expect(wrongPassword.body).toEqual(unknownUser.body);
    expect(wrongPassword.text).not.toContain(user.username);
  });

  it('gives the same 401 for a username that could never exist, so usernames are not probed', async () => {
    const user = await signUpAndLogin(api);

    const impossible = await login('not a valid username!', 'not the password');
    const wrongPassword = await login(user.username, 'not the password');

    expectUnauthorized(impossible);
    expect(impossible.body).toEqual(wrongPassword.body);
  });

  it('issues a new, independent session on each login', async () => {
    const user = await signUpAndLogin(api);

    const second = await login(user.username, user.password);

    expect(second.body.refreshToken).not.toBe(user.refreshToken);
    const refreshedFirst = await api.request('POST', '/token/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    const refreshedSecond = await api.request('POST', '/token/refresh', {
      body: { refreshToken: second.body.refreshToken },
    });
    expect(refreshedFirst.status).toBe(200);
    expect(refreshedSecond.status).toBe(200);
  });
});

describe('refresh tokens', () => {
  it('exchanges a refresh token for a new working pair', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('POST', '/token/refresh', {
      body: { refreshToken: user.refreshToken },
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      refreshToken: expect.any(String),
    });
    expect(response.body.refreshToken).not.toBe(user.refreshToken);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const me = await api.request('GET', '/users/me', { token: response.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
  });

  it('rejects a refresh token once it has been used', async () => {
    const user = await signUpAndLogin(api);
    const first = await api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } });

    const reused = await api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } });

    expect(first.status).toBe(200);
    expectUnauthorized(reused);
  });

  it('keeps rotating: the refresh token from a refresh works once in turn', async () => {
    const user = await signUpAndLogin(api);
    const first = await api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } });

    const second = await api.request('POST', '/token/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });

    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
  });

  it('lets exactly one of two concurrent refreshes with the same token succeed, and then ends the session', async () => {
    const user = await signUpAndLogin(api);

    const responses = await Promise.all([
      api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } }),
      api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } }),
    ]);

    expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
    const loser = responses.find((response) => response.status === 401);
    if (loser) expectUnauthorized(loser);
    // The loser presented a token already rotated: the server cannot tell a race from a replay, so the
    // session ends (reuse detection), and the winner's new token stops working too.
    const winner = responses.find((response) => response.status === 200);
    const next = await api.request('POST', '/token/refresh', {
      body: { refreshToken: winner?.body.refreshToken },
    });
    expectUnauthorized(next);
  });

  it.each([
    ['a random string', () => 'garbage'],
    ['an empty secret', () => '01ARZ3NDEKTSV4RRFFQ69G5FAV.01ARZ3NDEKTSV4RRFFQ69G5FAW.'],
    ['too many parts', () => 'a.b.c.d'],
    [
      'a token of the format before sessions',
      () => `01ARZ3NDEKTSV4RRFFQ69G5FAV.${randomBytes(32).toString('base64url')}`,
    ],
    [
      'a well-formed token that was never issued',
      () => `01ARZ3NDEKTSV4RRFFQ69G5FAV.01ARZ3NDEKTSV4RRFFQ69G5FAW.${randomBytes(32).toString('base64url')}`,
    ],
  ])('rejects %s as a refresh token with 401', async (_name, makeToken) => {
    const response = await api.request('POST', '/token/refresh', { body: { refreshToken: makeToken() } });

    expectUnauthorized(response);
  });

  it("rejects a user's refresh token presented with another user's id", async () => {
    const victim = await signUpAndLogin(api);
    const attacker = await signUpAndLogin(api);
    const [, sessionId, secret] = victim.refreshToken.split('.');

    const response = await api.request('POST', '/token/refresh', {
      body: { refreshToken: `${attacker.id}.${sessionId}.${secret}` },
    });

    expectUnauthorized(response);
    const victimRefresh = await api.request('POST', '/token/refresh', {
      body: { refreshToken: victim.refreshToken },
    });
    expect(victimRefresh.status).toBe(200);
  });
});

describe('logout', () => {
  it('answers 204 and the refresh token then gets 401', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('POST', '/logout', { body: { refreshToken: user.refreshToken } });

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const refresh = await api.request('POST', '/token/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expectUnauthorized(refresh);
  });

  it('ends only the session it names', async () => {
    const user = await signUpAndLogin(api);
    const other = await login(user.username, user.password);

    await api.request('POST', '/logout', { body: { refreshToken: user.refreshToken } });

    const refresh = await api.request('POST', '/token/refresh', {
      body: { refreshToken: other.body.refreshToken },
    });
    expect(refresh.status).toBe(200);
  });

  it('answers 204 again for a token that is already revoked or was never valid', async () => {
    const user = await signUpAndLogin(api);
    await api.request('POST', '/logout', { body: { refreshToken: user.refreshToken } });

    const again = await api.request('POST', '/logout', { body: { refreshToken: user.refreshToken } });
    const garbage = await api.request('POST', '/logout', { body: { refreshToken: 'garbage' } });

    expect(again.status).toBe(204);
    expect(garbage.status).toBe(204);
  });
});

describe('access tokens', () => {
  let user: SignedInUser;
  /** The key the API signs with now: the current key of the key set the functions read. */
  let key: PrivateJwk;
  const signToken = (signer: PrivateJwk, claims: Parameters<typeof signEs256>[1]) =>
    signEs256(signer, claims);

  beforeAll(async () => {
    user = await signUpAndLogin(api);
    key = (await serverKeySet()).current;
  });

  it('are ES256 JWTs naming their key, with subject, session, issuer, audience, issue and expiry times', async () => {
    const header = decodeProtectedHeader(user.token);
    const jwks = await api.request('GET', '/.well-known/jwks.json');

    const { payload } = await jwtVerify(user.token, createLocalJWKSet(jwks.body), {
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });

    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: key.kid });
    expect(payload).toEqual({
      sub: user.id,
      sid: expect.stringMatching(/^[0-9A-Z]{26}$/),
      iss: ISSUER,
      aud: AUDIENCE,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
  });

  it('accepts a token signed with the next published key, so rotation never rejects a fresh token', async () => {
    const next = (await serverKeySet()).next;

    const response = await api.request('GET', '/users/me', {
      token: await signToken(next, { sub: user.id }),
    });

    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  it('accepts "Bearer <token>"', async () => {
    const response = await api.request('GET', '/users/me', { token: user.token });

    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  it('accepts the bare token from older clients', async () => {
    const response = await api.request('GET', '/users/me', { token: user.token, bareToken: true });

    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  it('accepts a lower-case "bearer" scheme', async () => {
    const response = await api.request('GET', '/users/me', {
      headers: { authorization: `bearer ${user.token}` },
    });

    expect(response.status).toBe(200);
  });

  it('accepts a token signed by this test with the server key, proving the forged cases differ only as named', async () => {
    const token = await signToken(key, { sub: user.id });

    const response = await api.request('GET', '/users/me', { token });

    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  const rejected: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization header', async () => ({})],
    ['an empty Authorization header', async () => ({ authorization: '' })],
    ['"Bearer" without a token', async () => ({ authorization: 'Bearer ' })],
    ['a Basic credential', async () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['a token that is not a JWT', async () => ({ authorization: 'Bearer not-a-jwt' })],
    [
      'an expired token',
      async () => ({
        authorization: `Bearer ${await signToken(key, { sub: user.id, expiresIn: -60, issuedAgo: 3600 })}`,
      }),
    ],
    [
      'a token with a tampered signature',
      async () => {
        const [header, payload, signature = ''] = user.token.split('.');
        const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
        return { authorization: `Bearer ${header}.${payload}.${flipped}` };
      },
    ],
    [
      'a token whose payload was changed to another user',
      async () => {
        const [header, , signature] = user.token.split('.');
        const now = Math.floor(Date.now() / 1000);
        const payload = base64url({
          sub: 'someone-else',
          iss: ISSUER,
          aud: AUDIENCE,
          iat: now,
          exp: now + 600,
        });
        return { authorization: `Bearer ${header}.${payload}.${signature}` };
      },
    ],
    [
      'an HS256 token whose HMAC secret is the public key (algorithm confusion)',
      async () => ({
        authorization: `Bearer ${await signHs256(Buffer.from(JSON.stringify(publicPart(key))), { sub: user.id }, key.kid)}`,
      }),
    ],
    [
      'an HS256 token signed with a random secret, as the old tokens were',
      async () => ({ authorization: `Bearer ${await signHs256(randomBytes(48), { sub: user.id })}` }),
    ],
    [
      'a token signed with an unknown key that claims the current kid',
      async () => ({
        authorization: `Bearer ${await signEs256(newSigningKey(), { sub: user.id }, key.kid)}`,
      }),
    ],
    [
      'an unsigned token with alg "none"',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const header = base64url({ alg: 'none', typ: 'JWT' });
        const payload = base64url({ sub: user.id, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 });
        return { authorization: `Bearer ${header}.${payload}.` };
      },
    ],
    [
      'a token signed with another key',
      async () => ({ authorization: `Bearer ${await signToken(newSigningKey(), { sub: user.id })}` }),
    ],
    [
      'a token from another issuer',
      async () => ({
        authorization: `Bearer ${await signToken(key, { sub: user.id, iss: 'someone-else' })}`,
      }),
    ],
    [
      'a token for another audience',
      async () => ({ authorization: `Bearer ${await signToken(key, { sub: user.id, aud: 'other-api' })}` }),
    ],
    ['a token without a subject', async () => ({ authorization: `Bearer ${await signToken(key, {})}` })],
    [
      'the refresh token used as an access token',
      async () => ({ authorization: `Bearer ${user.refreshToken}` }),
    ],
  ];

  it.each(rejected)(
    'rejects %s with 401 problem+json and a WWW-Authenticate challenge',
    async (_name, headers) => {
      const response = await api.request('GET', '/users/me', { headers: await headers() });

      expectUnauthorized(response);
      expect(response.text).not.toContain(user.username);
    },
  );

  it('says an expired token has expired, so clients know to refresh', async () => {
    const token = await signToken(key, { sub: user.id, expiresIn: -60, issuedAgo: 3600 });

    const response = await api.request('GET', '/users/me', { token });

    expectUnauthorized(response);
    expect(response.body.detail).toMatch(/expired/i);
  });
});
