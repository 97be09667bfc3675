/** Accounts and profiles through the local HTTP gateway: sign-up, uniqueness, profile reads and updates. */
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/shared/openapi';
import { routes } from '../../functions/shared/routes';
import { type ApiResponse, signUpAndLogin, uniqueUsername, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const PASSWORD = 'a long enough password';

/** Fails if a response carries anything of the stored credentials. */
function expectNoCredentials(response: ApiResponse, password: string) {
  expect(response.text).not.toMatch(/passwordHash|password_hash|salt|scrypt\$/i);
  expect(response.text).not.toContain(password);
  expect(JSON.stringify(response.body)).not.toMatch(/"password/i);
}

describe('sign-up', () => {
  it('creates an account and answers 201 with the profile and its location', async () => {
    const username = uniqueUsername('new');

    const response = await api.request('POST', '/users', { body: { username, password: PASSWORD } });

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      username,
      displayName: username,
      location: null,
      avatarUrl: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      showPresence: true,
    });
    expect(Date.parse(response.body.createdAt)).not.toBeNaN();
    expect(response.headers.get('location')).toBe(`/users/${response.body.id}`);
  });

  it('stores the display name and location given at sign-up, trimmed', async () => {
    const username = uniqueUsername('named');

    const response = await api.request('POST', '/users', {
      body: { username, password: PASSWORD, displayName: '  Ada Lovelace ', location: 'London' },
    });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ username, displayName: 'Ada Lovelace', location: 'London' });
  });

  it('also creates accounts through the older POST /user path', async () => {
    const username = uniqueUsername('legacy');

    const response = await api.request('POST', '/user', { body: { username, password: PASSWORD } });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ username });
    const login = await api.request('POST', '/login', { body: { username, password: PASSWORD } });
    expect(login.status).toBe(200);
  });

  it('rejects a second account with the same username in another case with 409 naming username', async () => {
    const lower = uniqueUsername('alice').toLowerCase();
    const first = await api.request('POST', '/users', { body: { username: lower, password: PASSWORD } });
    const capitalised = `${lower.charAt(0).toUpperCase()}${lower.slice(1)}`;

    const second = await api.request('POST', '/users', {
      body: { username: capitalised, password: 'another password' },
    });

    expect(first.status).toBe(201);
    expectProblem(second, 409);
    expect(second.body.errors).toEqual([{ field: 'username', message: 'is already taken' }]);
  });

  it('rejects the exact same username again with 409', async () => {
    const username = uniqueUsername('twice');
    await api.request('POST', '/users', { body: { username, password: PASSWORD } });

    const again = await api.request('POST', '/users', { body: { username, password: PASSWORD } });

    expectProblem(again, 409);
    expect(again.body.errors?.[0]?.field).toBe('username');
  });

  it('lets exactly one of five concurrent sign-ups for one username (in different cases) win', async () => {
    const base = uniqueUsername('race').toLowerCase();
    const variants = [base, base.toUpperCase(), `${base.slice(0, 1).toUpperCase()}${base.slice(1)}`];
    const attempts = Array.from({ length: 5 }, (_, i) => ({
      username: variants[i % variants.length] ?? base,
      password: `password number ${i}`,
    }));

    const responses = await Promise.all(attempts.map((body) => api.request('POST', '/users', { body })));

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    for (const response of responses.filter((r) => r.status === 409)) expectProblem(response, 409);
    const winner = attempts[responses.findIndex((response) => response.status === 201)];
    const logins = await Promise.all(
      attempts.map(({ password }) => api.request('POST', '/login', { body: { username: base, password } })),
    );
    const succeeded = attempts.filter((_, i) => logins[i]?.status === 200);
    expect(succeeded).toEqual([winner]);
    expect(logins.filter((login) => login.status === 401)).toHaveLength(4);
  });
});

describe('credentials never leave the server', () => {
  it('sends no password hash, salt or password in sign-up, login or any profile response', async () => {
    const username = uniqueUsername('secret');
    const password = 'my very private password';

    const signUp = await api.request('POST', '/users', { body: { username, password } });
    const login = await api.request('POST', '/login', { body: { username, password } });
    const token = login.body.token as string;
    const me = await api.request('GET', '/users/me', { token });
    const byId = await api.request('GET', `/users/${signUp.body.id}`, { token });
    const byUsername = await api.request('GET', `/users/by-username/${username.toUpperCase()}`, { token });
    const updated = await api.request('PATCH', '/users/me', {
      token,
      body: { displayName: 'Secret Keeper' },
    });
    const refreshed = await api.request('POST', '/token/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });

    const responses = [signUp, login, me, byId, byUsername, updated, refreshed];
    expect(responses.map((response) => response.status)).toEqual([201, 200, 200, 200, 200, 200, 200]);
    for (const response of responses) expectNoCredentials(response, password);
  });
});

describe('own profile', () => {
  it("returns the caller's own profile for GET /users/me", async () => {
    const user = await signUpAndLogin(api, { displayName: 'Me Myself' });

    const me = await api.request('GET', '/users/me', { token: user.token });

    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: user.id,
      username: user.username,
      displayName: 'Me Myself',
      location: null,
      avatarUrl: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      showPresence: true,
      presence: { online: false },
    });
  });

  it('changes the display name and location, visible on GET /users/me and to other users', async () => {
    const user = await signUpAndLogin(api);
    const other = await signUpAndLogin(api);

    const patched = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { displayName: 'New Name', location: 'Lisbon' },
    });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: user.id, displayName: 'New Name', location: 'Lisbon' });
    const me = await api.request('GET', '/users/me', { token: user.token });
    expect(me.body).toMatchObject({ displayName: 'New Name', location: 'Lisbon' });
    const seenByOther = await api.request('GET', `/users/${user.id}`, { token: other.token });
    expect(seenByOther.body).toMatchObject({ displayName: 'New Name', location: 'Lisbon' });
  });

  it('clears the location when PATCH sends location: null', async () => {
    const user = await signUpAndLogin(api);
    await api.request('PATCH', '/users/me', { token: user.token, body: { location: 'Oslo' } });

    const cleared = await api.request('PATCH', '/users/me', { token: user.token, body: { location: null } });

    expect(cleared.status).toBe(200);
    expect(cleared.body.location).toBeNull();
    const me = await api.request('GET', '/users/me', { token: user.token });
    expect(me.body.location).toBeNull();
    const byId = await api.request('GET', `/users/${user.id}`, { token: user.token });
    expect(byId.body.location).toBeNull();
  });

  it('leaves fields a PATCH does not mention unchanged and moves updatedAt forward', async () => {
    const user = await signUpAndLogin(api, { displayName: 'Keep Me' });
    const first = await api.request('PATCH', '/users/me', { token: user.token, body: { location: 'Rome' } });

    const second = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { displayName: 'Kept' },
    });

    expect(first.body).toMatchObject({ displayName: 'Keep Me', location: 'Rome' });
    expect(second.body).toMatchObject({ displayName: 'Kept', location: 'Rome', username: user.username });
    expect(second.body.createdAt).toBe(first.body.createdAt);
    expect(Date.parse(second.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.body.updatedAt));
  });

  it('does not let PATCH change the username', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { username: 'someone_else' },
    });

    expectProblem(response, 400);
    expect(response.body.errors).toEqual([{ field: 'username', message: 'is not a known field' }]);
    const me = await api.request('GET', '/users/me', { token: user.token });
    expect(me.body.username).toBe(user.username);
  });
});

describe("other users' profiles", () => {
  it("returns another user's public profile by id, without updatedAt", async () => {
    const reader = await signUpAndLogin(api);
    const subject = await signUpAndLogin(api, { displayName: 'Subject' });

    const response = await api.request('GET', `/users/${subject.id}`, { token: reader.token });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: subject.id,
      username: subject.username,
      displayName: 'Subject',
      location: null,
      avatarUrl: null,
      createdAt: expect.any(String),
      presence: { online: false },
    });
  });

  it('answers 404 problem+json for an unknown user id', async () => {
    const reader = await signUpAndLogin(api);

    const response = await api.request('GET', '/users/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: reader.token });

    expectProblem(response, 404);
  });

  it('finds a user by username ignoring case', async () => {
    const reader = await signUpAndLogin(api);
    const subject = await signUpAndLogin(api, { username: uniqueUsername('MixedCase') });

    const upper = await api.request('GET', `/users/by-username/${subject.username.toUpperCase()}`, {
      token: reader.token,
    });
    const lower = await api.request('GET', `/users/by-username/${subject.username.toLowerCase()}`, {
      token: reader.token,
    });

    expect(upper.status).toBe(200);
    expect(upper.body).toMatchObject({ id: subject.id, username: subject.username });
    expect(lower.body).toEqual(upper.body);
  });

  it('answers 404 problem+json for an unknown username', async () => {
    const reader = await signUpAndLogin(api);

    const response = await api.request('GET', `/users/by-username/${uniqueUsername('nobody')}`, {
      token: reader.token,
    });

    expectProblem(response, 404);
  });

  it('answers 404, not an error, for a username lookup that looks like an injection', async () => {
    const reader = await signUpAndLogin(api);

    const response = await api.request('GET', `/users/by-username/${encodeURIComponent("x' OR '1'='1")}`, {
      token: reader.token,
    });

    expectProblem(response, 404);
  });
});

describe('authentication on profile routes', () => {
  it.each([
    ['GET', '/users/me', undefined],
    ['PATCH', '/users/me', { displayName: 'Nobody' }],
    ['GET', '/users/01ARZ3NDEKTSV4RRFFQ69G5FAV', undefined],
    ['GET', '/users/by-username/alice', undefined],
  ])('answers %s %s without a token with 401 problem+json', async (method, path, body) => {
    const response = await api.request(method, path, body === undefined ? {} : { body });

    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('does not apply a PATCH sent without a token', async () => {
    const user = await signUpAndLogin(api, { displayName: 'Unchanged' });

    await api.request('PATCH', '/users/me', { body: { displayName: 'Hijacked' } });

    const me = await api.request('GET', '/users/me', { token: user.token });
    expect(me.body.displayName).toBe('Unchanged');
  });
});

describe('system routes', () => {
  it('answers GET /health with 200 without a token', async () => {
    const response = await api.request('GET', '/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI 3.1 document listing every route and alias of the route table', async () => {
    const response = await api.request('GET', '/openapi.json');

    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\.1\./);
    const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = routes.flatMap((route) =>
      [route.path, ...(route.aliases ?? [])].map((path) => `${route.method} ${path}`),
    );
    expect(expected.length).toBeGreaterThanOrEqual(routes.length);
    expect(documented.sort()).toEqual(expected.sort());
  });

  it('documents which operations need a bearer token', async () => {
    const response = await api.request('GET', '/openapi.json');

    const paths = response.body.paths;
    expect(paths['/users/me'].get.security).toEqual([{ bearer: [] }]);
    expect(paths['/login'].post.security).toEqual([]);
    expect(paths['/user'].post.deprecated).toBe(true);
  });

  it('publishes the public token keys at /.well-known/jwks.json without a token, and no private key', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('GET', '/.well-known/jwks.json');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body.keys.length).toBeGreaterThanOrEqual(2);
    for (const key of response.body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    const kid = JSON.parse(Buffer.from(user.token.split('.')[0] ?? '', 'base64url').toString()).kid;
    expect(response.body.keys.map((key: { kid: string }) => key.kid)).toContain(kid);
  });

  it('serves the OpenAPI document as plain JSON to a client that does not accept brotli', async () => {
    const response = await rawGet('/openapi.json', { 'accept-encoding': 'identity' });

    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body.toString('utf8'))).toEqual(
      JSON.parse(JSON.stringify(buildOpenApiDocument())),
    );
  });

  it('serves the same OpenAPI document brotli-compressed to a client that accepts it', async () => {
    const response = await rawGet('/openapi.json', { 'accept-encoding': 'gzip, br;q=0.9' });
    const refused = await rawGet('/openapi.json', { 'accept-encoding': 'br;q=0, gzip' });

    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers.vary).toBe('accept-encoding');
    expect(JSON.parse(brotliDecompressSync(response.body).toString('utf8'))).toEqual(
      JSON.parse(JSON.stringify(buildOpenApiDocument())),
    );
    expect(refused.headers['content-encoding']).toBeUndefined();
  });
});

/** A GET without fetch's automatic decompression, to see the bytes and headers as sent. */
function rawGet(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const request = httpGet(`${api.url}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
