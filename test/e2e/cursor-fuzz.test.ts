/**
 * Forged cursors, of any shape, on every route that takes one: a 400 naming the cursor, never a 500.
 * The only cursors that may page are ones shaped exactly like those the listing hands out, for the caller's
 * own listing (a cursor is a position, not a credential: pointing into your own listing grants nothing).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { directConversation, type SignedInUser, signUpAndLogin, useApi } from '../support/api';

const api = useApi();

let alice: SignedInUser;
let bob: SignedInUser;
let conversationId: string;
let messageId: string;

beforeAll(async () => {
  [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
  conversationId = await directConversation(api, alice, bob);
  for (let i = 0; i < 3; i++) {
    const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'text', text: `message ${i}` } },
    });
    messageId = sent.body.id;
    for (const user of [alice, bob]) {
      await api.request('PUT', `/conversations/${conversationId}/messages/${messageId}/reactions/:tada:`, {
        token: user.token,
      });
    }
  }
});

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/**
 * JSON values that look more and more like real cursors: any JSON, then objects with v, kind and fields,
 * the fields sometimes the caller's real ids (so the listing's own checks are reached, not only the first).
 */
const forgedCursor = () => {
  const anyField = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '',
      'ACT#',
      'dm_',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      'ACT#01ARZ3NDEKTSV4RRFFQ69G5FAV',
      '\uD800',
      alice.id,
      conversationId,
      '🎉',
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const cursorPayload = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        v: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })),
        kind: fc.constantFrom('messages', 'inbox', 'reactions', 'other'),
        c: anyField,
        m: anyField,
        u: anyField,
        a: anyField,
        e: anyField,
      },
      { requiredKeys: ['v', 'kind'] },
    ),
  );
  return fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).map(b64),
    cursorPayload.map((payload) => b64(JSON.stringify(payload))),
  );
};

const routes: [string, (cursor: string) => string][] = [
  ['GET /conversations', (cursor) => `/conversations?cursor=${encodeURIComponent(cursor)}`],
  [
    'GET /conversations/{id}/messages',
    (cursor) => `/conversations/${conversationId}/messages?cursor=${encodeURIComponent(cursor)}`,
  ],
  [
    'GET /messages (older clients)',
    (cursor) => `/messages?conversationId=${conversationId}&cursor=${encodeURIComponent(cursor)}`,
  ],
  [
    'GET /conversations/{id}/messages/{messageId}/reactions/{emoji}',
    (cursor) =>
      `/conversations/${conversationId}/messages/${messageId}/reactions/:tada:?cursor=${encodeURIComponent(cursor)}`,
  ],
];

describe('forged cursors', () => {
  it.each(routes)(
    '%s answers 400 (or pages, for a well-formed cursor of its own) and never 500',
    async (_name, path) => {
      await fc.assert(
        fc.asyncProperty(forgedCursor(), async (cursor) => {
          const response = await api.request('GET', path(cursor), { token: alice.token });
          expect(response.status, `${cursor} -> ${response.text}`).toBeLessThan(500);
          if (response.status !== 200) {
            expect(response.status).toBe(400);
            expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          }
        }),
        { numRuns: 200 },
      );
    },
  );

  it.each([
    [
      'the right user but a conversation id no conversation can have',
      (user: SignedInUser) =>
        b64(JSON.stringify({ v: 1, kind: 'inbox', u: user.id, a: '01ARZ3NDEKTSV4RRFFQ69G5FAV', c: 'x y' })),
    ],
    [
      'no user',
      () => b64(JSON.stringify({ v: 1, kind: 'inbox', u: '', a: '01ARZ3NDEKTSV4RRFFQ69G5FAV', c: '\uD800' })),
    ],
  ])('refuses an inbox cursor naming %s with 400', async (_name, make) => {
    const response = await api.request('GET', `/conversations?cursor=${make(alice)}`, { token: alice.token });

    expect(response.status).toBe(400);
  });
});
