/**
 * Invalid requests through the local HTTP gateway: each gets a 4xx problem+json naming the failing field, and
 * a rejected sign-up leaves nothing behind (the same username can sign up right after).
 */
import { describe, expect, it } from 'vitest';
import { signUpAndLogin, uniqueUsername, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const PASSWORD = 'a long enough password';

/** Proves a rejected sign-up stored nothing: the username it tried is still free. */
async function expectUsernameStillFree(username: string) {
  const retry = await api.request('POST', '/users', { body: { username, password: PASSWORD } });
  expect(retry.status).toBe(201);
  expect(retry.body.username).toBe(username);
}

describe('sign-up with an invalid username', () => {
  it.each([
    ['too short (2 characters)', 'ab'],
    ['too long (33 characters)', 'a'.repeat(33)],
    ['containing a space', 'a b'],
    ['containing "!"', 'al!ce'],
    ['containing a non-ASCII letter', 'ålice'],
    ['containing a Cyrillic look-alike', 'аlice'],
    ['containing an emoji', 'alice🙂'],
    ['containing a slash', 'al/ice'],
    ['empty', ''],
    ['a number instead of a string', 123],
    ['null', null],
  ])('rejects a username %s with 400 naming username', async (_name, username) => {
    const response = await api.request('POST', '/users', { body: { username, password: PASSWORD } });

    expectProblem(response, 400, 'username');
  });

  it('accepts the boundary lengths 3 and 32 and the allowed punctuation', async () => {
    const short = `${uniqueUsername('').slice(-2)}x`;
    const long = uniqueUsername('boundary').padEnd(32, 'x').slice(0, 32);
    const punctuated = `${uniqueUsername('p').slice(0, 25)}_a.b-c`;

    const responses = await Promise.all(
      [short, long, punctuated].map((username) =>
        api.request('POST', '/users', { body: { username, password: PASSWORD } }),
      ),
    );

    expect(short).toHaveLength(3);
    expect(long).toHaveLength(32);
    expect(responses.map((response) => response.status)).toEqual([201, 201, 201]);
  });

  it('rejects a missing username with 400 naming username', async () => {
    const response = await api.request('POST', '/users', { body: { password: PASSWORD } });

    expectProblem(response, 400, 'username');
  });
});

describe('sign-up with another invalid field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a 7-character password', { password: '7 chars' }, 'password'],
    ['a 257-character password', { password: 'p'.repeat(257) }, 'password'],
    ['a password that is true', { password: true }, 'password'],
    ['a missing password', { password: undefined }, 'password'],
    ['a 65-character displayName', { displayName: 'd'.repeat(65) }, 'displayName'],
    ['a blank displayName', { displayName: '   ' }, 'displayName'],
    ['an empty displayName', { displayName: '' }, 'displayName'],
    ['a displayName that is an object', { displayName: {} }, 'displayName'],
    ['a displayName with a control character', { displayName: 'bell\u0007' }, 'displayName'],
    ['a displayName with a newline', { displayName: 'two\nlines' }, 'displayName'],
    ['a 101-character location', { location: 'l'.repeat(101) }, 'location'],
    ['a blank location', { location: ' ' }, 'location'],
    ['a location that is a number', { location: 42 }, 'location'],
    ['an unknown field isAdmin', { isAdmin: true }, 'isAdmin'],
    ['an unknown field id', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, 'id'],
  ];

  it.each(cases)('rejects %s with 400 naming the field, and stores nothing', async (_name, change, field) => {
    const username = uniqueUsername('badfield');

    const response = await api.request('POST', '/users', {
      body: { username, password: PASSWORD, ...change },
    });

    expectProblem(response, 400, field);
    await expectUsernameStillFree(username);
  });

  it('names every failing field of one request', async () => {
    const response = await api.request('POST', '/users', {
      body: { username: 'a b', password: 'short', displayName: '', isAdmin: true },
    });

    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(
      ['displayName', 'isAdmin', 'password', 'username'].sort(),
    );
  });

  it('accepts the boundary lengths: 8- and 256-character passwords, 64-character displayName, 100-character location', async () => {
    const response = await api.request('POST', '/users', {
      body: {
        username: uniqueUsername('limits'),
        password: 'p'.repeat(256),
        displayName: 'd'.repeat(64),
        location: 'l'.repeat(100),
      },
    });
    const shortPassword = await api.request('POST', '/users', {
      body: { username: uniqueUsername('limits'), password: '8 chars!' },
    });

    expect(response.status).toBe(201);
    expect(shortPassword.status).toBe(201);
  });
});

describe('sign-up with a body that is not a JSON object', () => {
  it.each([
    ['a JSON array', '[{"username":"alice","password":"a long enough password"}]'],
    ['a JSON string', '"alice"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
  ])('rejects %s with 400 naming the body', async (_name, rawBody) => {
    const response = await api.request('POST', '/users', {
      rawBody,
      headers: { 'content-type': 'application/json' },
    });

    expectProblem(response, 400, '(body)');
  });

  it('rejects malformed JSON with 400 and stores nothing', async () => {
    const username = uniqueUsername('malformed');

    const response = await api.request('POST', '/users', {
      rawBody: `{"username": "${username}", "password": "${PASSWORD}",`,
      headers: { 'content-type': 'application/json' },
    });

    expectProblem(response, 400, '(body)');
    expect(response.body.type).toBe('urn:chat-backend:problem:malformed-json');
    await expectUsernameStillFree(username);
  });

  it('rejects a missing body with 400', async () => {
    const response = await api.request('POST', '/users', { headers: { 'content-type': 'application/json' } });

    expectProblem(response, 400, '(body)');
  });

  it('rejects a missing body sent without any content type with 400', async () => {
    const response = await api.request('POST', '/users');

    expectProblem(response, 400, '(body)');
  });

  it('rejects a text/plain body with 415 and stores nothing', async () => {
    const username = uniqueUsername('plain');

    const response = await api.request('POST', '/users', {
      body: { username, password: PASSWORD },
      headers: { 'content-type': 'text/plain' },
    });

    expectProblem(response, 415, '(header) content-type');
    await expectUsernameStillFree(username);
  });

  it('rejects a form-encoded body with 415', async () => {
    const response = await api.request('POST', '/users', {
      rawBody: `username=alice&password=${encodeURIComponent(PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expectProblem(response, 415, '(header) content-type');
  });

  it('rejects a body over 64 KB with 413 and stores nothing', async () => {
    const username = uniqueUsername('huge');

    const response = await api.request('POST', '/users', {
      body: { username, password: PASSWORD, displayName: 'x'.repeat(65 * 1024) },
    });

    expectProblem(response, 413, '(body)');
    await expectUsernameStillFree(username);
  });
});

describe('other routes with invalid bodies', () => {
  it('rejects an unknown field on login with 400 naming it', async () => {
    const response = await api.request('POST', '/login', {
      body: { username: 'alice', password: PASSWORD, remember: true },
    });

    expectProblem(response, 400, 'remember');
  });

  it('rejects a login without a password with 400 naming password', async () => {
    const response = await api.request('POST', '/login', { body: { username: 'alice' } });

    expectProblem(response, 400, 'password');
  });

  it('rejects a refresh without a refresh token with 400 naming refreshToken', async () => {
    const response = await api.request('POST', '/token/refresh', { body: {} });

    expectProblem(response, 400, 'refreshToken');
  });

  it('rejects a logout whose refresh token is a number with 400 naming refreshToken', async () => {
    const response = await api.request('POST', '/logout', { body: { refreshToken: 12345 } });

    expectProblem(response, 400, 'refreshToken');
  });

  it('rejects a profile update with a 65-character displayName and changes nothing', async () => {
    const user = await signUpAndLogin(api, { displayName: 'Before' });

    const response = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { displayName: 'd'.repeat(65), location: 'Somewhere' },
    });

    expectProblem(response, 400, 'displayName');
    const me = await api.request('GET', '/users/me', { token: user.token });
    expect(me.body).toMatchObject({ displayName: 'Before', location: null });
  });

  it('rejects a profile update with an unknown field with 400 naming it', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('PATCH', '/users/me', { token: user.token, body: { isAdmin: true } });

    expectProblem(response, 400, 'isAdmin');
  });

  it('rejects a profile update sent as text/plain with 415', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { displayName: 'Plain' },
      headers: { 'content-type': 'text/plain' },
    });

    expectProblem(response, 415, '(header) content-type');
  });

  it('rejects a user id longer than 64 characters with 400 naming the path parameter', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('GET', `/users/${'x'.repeat(65)}`, { token: user.token });

    expectProblem(response, 400, '(path) id');
  });
});

describe('text that looks like code', () => {
  const samples = [
    '<script>alert(1)</script>',
    "'; DROP TABLE users; --",
    '{"$ne": null}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template placeholder is the sample
    '${7*7} {{7*7}} %s %n',
    '../../etc/passwd',
  ];

  it('stores a displayName and location that look like injections and returns them verbatim', async () => {
    const displayName = '<script>alert(1)</script>';
    const location = "'; DROP TABLE users; --";
    const username = uniqueUsername('inject');

    const created = await api.request('POST', '/users', {
      body: { username, password: PASSWORD, displayName, location },
    });
    const login = await api.request('POST', '/login', { body: { username, password: PASSWORD } });
    const me = await api.request('GET', '/users/me', { token: login.body.token });
    const found = await api.request('GET', `/users/by-username/${username}`, { token: login.body.token });

    expect(created.status).toBe(201);
    for (const response of [created, me, found]) {
      expect(response.body.displayName).toBe(displayName);
      expect(response.body.location).toBe(location);
    }
    expect(login.body.user).toMatchObject({ displayName, location });
  });

  it.each(samples)('returns %s verbatim after a profile update', async (text) => {
    const user = await signUpAndLogin(api);

    const patched = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { displayName: text, location: text },
    });
    const byId = await api.request('GET', `/users/${user.id}`, { token: user.token });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: text, location: text });
    expect(byId.body).toMatchObject({ displayName: text, location: text });
  });

  it('keeps the object-looking displayName a string rather than interpreting it', async () => {
    const user = await signUpAndLogin(api, { displayName: '{"$ne": null}' });

    const me = await api.request('GET', '/users/me', { token: user.token });

    expect(typeof me.body.displayName).toBe('string');
    expect(me.body.displayName).toBe('{"$ne": null}');
  });
});
