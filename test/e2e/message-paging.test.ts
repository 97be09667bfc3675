/**
 * Message history paging through the local HTTP gateway: page sizes, following nextCursor over hundreds of
 * messages (also while new ones arrive), cursors that were forged or belong elsewhere, and catch-up with
 * `after`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  directConversation,
  type SignedInUser,
  signUpAndLogin,
  useApi,
} from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const SEEDED = 260;

async function send(user: SignedInUser, conversationId: string, text: string): Promise<string> {
  const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { content: { type: 'text', text } },
  });
  if (response.status !== 201) throw new Error(`send failed: ${response.status} ${response.text}`);
  return response.body.id;
}

/** Sends `count` messages, a few at a time, and returns their ids. */
async function sendMany(users: SignedInUser[], conversationId: string, count: number, prefix: string) {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 5) {
    const batch = Array.from({ length: Math.min(5, count - start) }, (_, i) => start + i);
    ids.push(
      ...(await Promise.all(
        batch.map((n) => send(users[n % users.length] as SignedInUser, conversationId, `${prefix} ${n}`)),
      )),
    );
  }
  return ids;
}

function history(user: SignedInUser, conversationId: string, query = '') {
  return api.request('GET', `/conversations/${conversationId}/messages${query}`, { token: user.token });
}

/** Follows nextCursor from the first page to the end; returns every page's ids. */
async function pageThrough(
  user: SignedInUser,
  conversationId: string,
  limit: number | undefined,
  betweenPages: () => Promise<unknown> = async () => undefined,
) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams();
    if (limit !== undefined) params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const query = params.size ? `?${params}` : '';
    const page: ApiResponse = await history(user, conversationId, query);
    expect(page.status).toBe(200);
    pages.push(page.body.items.map((message: { id: string }) => message.id));
    cursor = page.body.nextCursor;
    await betweenPages();
  } while (cursor && pages.length < 100);
  return pages;
}

const newestFirst = (ids: string[]) => [...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));

let alice: SignedInUser;
let bob: SignedInUser;
let seeded: string;
let seededIds: string[];

beforeAll(async () => {
  [alice, bob] = (await Promise.all([signUpAndLogin(api), signUpAndLogin(api)])) as [
    SignedInUser,
    SignedInUser,
  ];
  seeded = await directConversation(api, alice, bob);
  seededIds = await sendMany([alice, bob], seeded, SEEDED, 'seed');
}, 120_000);

describe('page sizes', () => {
  it('answers 50 messages, newest first, with a nextCursor when no limit is given', async () => {
    const response = await history(alice, seeded);

    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(50);
    expect(response.body.items.map((message: { id: string }) => message.id)).toEqual(
      newestFirst(seededIds).slice(0, 50),
    );
    expect(response.body.nextCursor).toEqual(expect.any(String));
  });

  it('answers up to 100 messages for limit=100', async () => {
    const response = await history(alice, seeded, '?limit=100');

    expect(response.body.items).toHaveLength(100);
  });

  it.each(['0', '101', '-1', '2.5', 'many'])('answers 400 naming limit for limit=%s', async (limit) => {
    const response = await history(alice, seeded, `?limit=${limit}`);

    expectProblem(response, 400, '(query) limit');
  });

  it('answers an empty page with a null nextCursor for a conversation without messages', async () => {
    const carol = await signUpAndLogin(api);
    const empty = await directConversation(api, alice, carol);

    const response = await history(carol, empty);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });

  it('answers a null nextCursor on the last page when it ends exactly at the limit', async () => {
    const carol = await signUpAndLogin(api);
    const small = await directConversation(api, alice, carol);
    await sendMany([alice], small, 4, 'four');

    const response = await history(alice, small, '?limit=4');

    expect(response.body.items).toHaveLength(4);
    expect(response.body.nextCursor).toBeNull();
  });
});

describe('following nextCursor', () => {
  it.each([[undefined], [100], [7]])(
    `visits each of the ${SEEDED} messages exactly once, newest first, with limit=%s`,
    async (limit) => {
      const pages = await pageThrough(bob, seeded, limit);

      const ids = pages.flat();
      expect(ids).toHaveLength(SEEDED);
      expect(new Set(ids).size).toBe(SEEDED);
      expect(ids).toEqual(newestFirst(seededIds));
      expect(pages.slice(0, -1).every((page) => page.length === (limit ?? 50))).toBe(true);
    },
  );

  it('neither duplicates nor skips any earlier message while new ones are sent during the paging', async () => {
    const carol = await signUpAndLogin(api);
    const busy = await directConversation(api, alice, carol);
    const original = await sendMany([alice, carol], busy, 120, 'before');
    const sentDuring: string[] = [];
    let round = 0;

    const pages = await pageThrough(carol, busy, 20, async () => {
      round += 1;
      sentDuring.push(...(await sendMany([alice, carol], busy, 3, `during ${round}`)));
    });

    const ids = pages.flat();
    expect(new Set(ids).size).toBe(ids.length);
    const seenOriginal = ids.filter((id) => original.includes(id));
    expect(seenOriginal).toEqual(newestFirst(original));
    expect(ids.filter((id) => !original.includes(id)).every((id) => sentDuring.includes(id))).toBe(true);
    expect(sentDuring.length).toBeGreaterThan(0);
  }, 60_000); // 130 sends and the pages between them: slow on a busy machine
});

describe('cursors that are not from this listing', () => {
  const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['garbage', 'garbage!!'],
    ['random base64', Buffer.from('0123456789abcdef0123456789').toString('base64')],
    ['base64 of a JSON array', base64([1, 2, 3])],
    [
      'a cursor of the wrong version',
      base64({ v: 2, kind: 'messages', c: 'x', m: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
    ],
    ['a conversation-list cursor', base64({ v: 1, kind: 'inbox', u: 'x', a: 'ACT#1', c: 'y' })],
    ['a message id that is not a ULID', base64({ v: 1, kind: 'messages', c: '__SELF__', m: 'MSG#x' })],
  ])('answers 400 naming the cursor for %s', async (_name, cursor) => {
    const value = cursor.replace('__SELF__', seeded);

    const response = await history(alice, seeded, `?cursor=${encodeURIComponent(value)}`);

    expectProblem(response, 400, '(query) cursor');
    expect(response.body.items).toBeUndefined();
  });

  it("answers 400 for a cursor from another conversation, and never shows that conversation's messages", async () => {
    const carol = await signUpAndLogin(api);
    const secret = await directConversation(api, bob, carol);
    await sendMany([bob, carol], secret, 3, 'secret between Bob and Carol');
    const bobsPage = await history(bob, secret, '?limit=1');
    const elsewhere = await directConversation(api, alice, carol);
    await send(alice, elsewhere, 'hello Carol');

    const withAlice = await history(
      alice,
      elsewhere,
      `?cursor=${encodeURIComponent(bobsPage.body.nextCursor)}`,
    );
    const onSecret = await history(alice, secret, `?cursor=${encodeURIComponent(bobsPage.body.nextCursor)}`);

    expectProblem(withAlice, 400, '(query) cursor');
    expect(withAlice.text).not.toContain('secret between');
    expectProblem(onSecret, 404);
    expect(onSecret.text).not.toContain('secret between');
  });

  it('accepts a cursor of a message id forged for the own conversation only as a position inside it', async () => {
    const carol = await signUpAndLogin(api);
    const own = await directConversation(api, alice, carol);
    const ids = await sendMany([alice], own, 3, 'own');
    const forged = base64({ v: 1, kind: 'messages', c: own, m: '7ZZZZZZZZZZZZZZZZZZZZZZZZZ' });

    const response = await history(alice, own, `?cursor=${forged}`);

    expect(response.status).toBe(200);
    expect(response.body.items.map((message: { id: string }) => message.id)).toEqual(newestFirst(ids));
    expect(response.body.items.every((message: any) => message.conversationId === own)).toBe(true);
  });
});

describe('catching up with after', () => {
  it('answers the messages newer than the given id, oldest first', async () => {
    const carol = await signUpAndLogin(api);
    const chat = await directConversation(api, alice, carol);
    const ids = await sendMany([alice, carol], chat, 6, 'catch up');
    const [, , known] = ids as [string, string, string];

    const response = await history(carol, chat, `?after=${known}`);

    expect(response.status).toBe(200);
    expect(response.body.items.map((message: { id: string }) => message.id)).toEqual(
      [...ids].sort().filter((id) => id > known),
    );
    expect(response.body.nextCursor).toBeNull();
  });

  it('answers an empty page after the newest message', async () => {
    const newest = newestFirst(seededIds)[0];

    const response = await history(alice, seeded, `?after=${newest}`);

    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([]);
  });

  it('respects the limit, so repeating with the last id seen catches up on everything in order', async () => {
    const oldest = [...seededIds].sort()[0] as string;
    const seen: string[] = [];
    let after = oldest;

    for (let round = 0; round < 10; round++) {
      const page = await history(alice, seeded, `?limit=100&after=${after}`);
      const ids = page.body.items.map((message: { id: string }) => message.id);
      seen.push(...ids);
      if (ids.length < 100) break;
      after = ids.at(-1);
    }

    expect(seen).toEqual([...seededIds].sort().slice(1));
  });

  it.each([
    ['an id that is not a message id', '?after=not-an-id', '(query) after'],
    ['after together with cursor', '?after=01ARZ3NDEKTSV4RRFFQ69G5FAV&cursor=abc', '(query) after'],
  ])('answers 400 for %s', async (_name, query, field) => {
    const response = await history(alice, seeded, query);

    expectProblem(response, 400, field);
  });
});
