/**
 * What text the API accepts: names NFC-normalised and free of invisible or reordering characters, message
 * text free of lone surrogates, bidi overrides and control characters, metadata within a schema. Every
 * refusal is a 400 naming the field; none is a 500.
 */
import { describe, expect, it } from 'vitest';
import { directConversation, signUpAndLogin, uniqueUsername, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const NAME_REFUSALS: [string, string][] = [
  ['a right-to-left override (U+202E)', 'evil\u202Egnp.exe'],
  ['a left-to-right embedding (U+202A)', 'a\u202Ab'],
  ['a first-strong isolate (U+2068)', 'a\u2068b'],
  ['a pop directional isolate (U+2069)', 'a\u2069b'],
  ['a zero-width space (U+200B)', 'ad\u200Bmin'],
  ['a zero-width joiner (U+200D)', 'ad\u200Dmin'],
  ['a byte order mark (U+FEFF)', '\uFEFFadmin'],
  ['a lone high surrogate', 'a\uD800b'],
  ['a lone low surrogate', 'a\uDC00b'],
  ['a C1 control (U+0085)', 'a\u0085b'],
  ['a newline', 'a\nb'],
];

describe('display names', () => {
  it.each(NAME_REFUSALS)('refuses %s with 400 naming displayName', async (_name, displayName) => {
    const user = await signUpAndLogin(api);

    const update = await api.request('PATCH', '/users/me', { token: user.token, body: { displayName } });
    const signUp = await api.request('POST', '/users', {
      body: { username: uniqueUsername(), password: 'a long enough password', displayName },
    });

    expectProblem(update, 400, 'displayName');
    expectProblem(signUp, 400, 'displayName');
  });

  it('stores a display name NFC-normalised, so one name has one spelling', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { displayName: 'Jose\u0301 Sa\u0303o' },
    });

    expect(response.status).toBe(200);
    expect(response.body.displayName).toBe('Jos\u00e9 S\u00e3o');
  });

  it('accepts names in any script, emoji included', async () => {
    const user = await signUpAndLogin(api);

    const response = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { displayName: 'مريم 李 Ωmega 🎉' },
    });

    expect(response.status).toBe(200);
  });
});

describe('usernames', () => {
  it.each(NAME_REFUSALS)('refuses %s with 400 naming username', async (_name, text) => {
    const response = await api.request('POST', '/users', {
      body: { username: `u${text}`.slice(0, 30), password: 'a long enough password' },
    });

    expectProblem(response, 400, 'username');
  });
});

describe('message text', () => {
  const send = async (text: string) => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const id = await directConversation(api, alice, bob);
    return api.request('POST', `/conversations/${id}/messages`, {
      token: alice.token,
      body: { content: { type: 'text', text } },
    });
  };

  it.each([
    ['a lone surrogate', 'hi \uD83D there'],
    ['a right-to-left override', 'look at \u202Etxt.exe'],
    ['a left-to-right embedding', 'a\u202Ab'],
    ['a pop directional formatting', 'a\u202Cb'],
    ['a NUL', 'a\u0000b'],
    ['a C1 control (U+009B)', 'a\u009Bb'],
    ['an escape', 'a\u001B[31mred'],
  ])('refuses text with %s with 400 naming content.text', async (_name, text) => {
    expectProblem(await send(text), 400, 'content.text');
  });

  it('keeps newlines, tabs, emoji with zero-width joiners and directional isolates', async () => {
    const text = 'line one\n\tindented 👩‍💻 👨‍👩‍👧 \u2067مرحبا\u2069 done';

    const response = await send(text);

    expect(response.status).toBe(201);
    expect(response.body.content.text).toBe(text);
  });
});

describe('message metadata', () => {
  const nested = (depth: number) => {
    let value: Record<string, unknown> = {};
    for (let i = 1; i < depth; i++) value = { a: value };
    return value;
  };

  it.each<[string, unknown]>([
    ['nested 4 deep', nested(4)],
    ['nested 33 deep', nested(33)],
    ['nested 1,000 deep', nested(1_000)],
    ['arrays nested 4 deep', { a: [[[1]]] }],
    ['an empty key', { '': 'x' }],
    ['an empty key inside', { a: { '': 1 } }],
    ['a number of 1e308', { a: 1e308 }],
    ['a number of 1e126', { a: 1e126 }],
    ['a number of 1e-300', { a: 1e-300 }],
    ['a string of 501 characters', { caption: 'x'.repeat(501) }],
    ['a lone surrogate in a string', { caption: 'a\uD800' }],
  ])('refuses metadata %s with 400 naming content.metadata', async (_name, metadata) => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const id = await directConversation(api, alice, bob);

    const response = await api.request('POST', `/conversations/${id}/messages`, {
      token: alice.token,
      body: { content: { type: 'image', image: '01ARZ3NDEKTSV4RRFFQ69G5FAV', metadata } },
    });

    expectProblem(response, 400, 'content.metadata');
  });

  it('refuses metadata nested 10,000 deep with 400, without overflowing the stack', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const id = await directConversation(api, alice, bob);
    // Written as text: JSON.stringify of a value this deep overflows the test's own stack.
    const metadata = `${'{"a":'.repeat(9_999)}{}${'}'.repeat(9_999)}`;

    const response = await api.request('POST', `/conversations/${id}/messages`, {
      token: alice.token,
      rawBody: `{"content":{"type":"image","image":"01ARZ3NDEKTSV4RRFFQ69G5FAV","metadata":${metadata}}}`,
      headers: { 'content-type': 'application/json' },
    });

    expectProblem(response, 400, 'content.metadata');
  });

  it('accepts prototype-like keys as plain keys (they pass the schema; the media id decides)', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const id = await directConversation(api, alice, bob);

    const response = await api.request('POST', `/conversations/${id}/messages`, {
      token: alice.token,
      body: {
        content: {
          type: 'image',
          image: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
          metadata: { constructor: { prototype: {} }, a: [[1, 2]], n: 9.99e125, s: 'x'.repeat(500) },
        },
      },
    });

    // Not a metadata problem: the only complaint is the unknown upload.
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['content.image']);
  });
});
