/**
 * Reactions end to end against the local stack: adding and removing (idempotent), the counts every message
 * shows with whether the reader reacted, who reacted (paged), the emoji rules and the 20-emoji cap, every bad
 * input, 50 concurrent reactions, and the reaction events over a real WebSocket and through /sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../functions/shared/schemas/realtime';
import { type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();

const opened: TestSocket[] = [];
afterEach(async () => {
  const sockets = opened.splice(0);
  await Promise.all(sockets.map((socket) => socket.close()));
  for (const socket of sockets) expect(socket.invalid).toEqual([]);
});

async function online(user: SignedInUser): Promise<TestSocket> {
  const socket = await connect(api.wsUrl, user.token);
  opened.push(socket);
  return socket;
}

const { users, call, group: groupOf, send: sendText } = conversationHelpers(api);
const group = (owner: SignedInUser, members: SignedInUser[]) => groupOf(owner, members, 'Reactions');
const send = (user: SignedInUser, conversationId: string, text = 'react to me') =>
  sendText(user, conversationId, text);

const reactionPath = (conversationId: string, messageId: string, emoji: string) =>
  `/conversations/${conversationId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;

const react = (user: SignedInUser, conversationId: string, messageId: string, emoji: string) =>
  api.request('PUT', reactionPath(conversationId, messageId, emoji), { token: user.token });
const unreact = (user: SignedInUser, conversationId: string, messageId: string, emoji: string) =>
  api.request('DELETE', reactionPath(conversationId, messageId, emoji), { token: user.token });

/** The message as the user's history shows it. */
async function shown(user: SignedInUser, conversationId: string, messageId: string) {
  const page = await call(user, 'GET', `/conversations/${conversationId}/messages?limit=100`);
  return page.items.find((message: { id: string }) => message.id === messageId);
}

/** Every user id a reactor listing returns, following its cursors. */
async function allReactors(user: SignedInUser, conversationId: string, messageId: string, emoji: string) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await call(user, 'GET', `${reactionPath(conversationId, messageId, emoji)}?limit=7${query}`);
    ids.push(...page.items.map((item: { userId: string }) => item.userId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

describe('adding and removing reactions', () => {
  it('counts reactions per emoji on the message, with whether the reader reacted', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    const messageId = await send(alice, conversationId);

    expect((await react(bob, conversationId, messageId, '👍')).status).toBe(204);
    expect((await react(carol, conversationId, messageId, '👍')).status).toBe(204);
    expect((await react(carol, conversationId, messageId, '🎉')).status).toBe(204);

    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([
      { emoji: '🎉', count: 1, me: false },
      { emoji: '👍', count: 2, me: true },
    ]);
    expect((await shown(carol, conversationId, messageId)).reactions).toEqual([
      { emoji: '🎉', count: 1, me: true },
      { emoji: '👍', count: 2, me: true },
    ]);
    expect((await shown(alice, conversationId, messageId)).reactions).toEqual([
      { emoji: '🎉', count: 1, me: false },
      { emoji: '👍', count: 2, me: false },
    ]);
  });

  it('shows an empty list on messages nobody reacted to, and on a new message as sent', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const sent = await call(alice, 'POST', `/conversations/${conversationId}/messages`, {
      content: { type: 'text', text: 'fresh' },
    });

    expect(sent.reactions).toEqual([]);
    expect((await shown(bob, conversationId, sent.id)).reactions).toEqual([]);
  });

  it('changes nothing when the same reaction is added twice, and answers the same', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);

    const first = await react(bob, conversationId, messageId, '🔥');
    const second = await react(bob, conversationId, messageId, '🔥');

    expect([first.status, second.status]).toEqual([204, 204]);
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([
      { emoji: '🔥', count: 1, me: true },
    ]);
    expect(await allReactors(alice, conversationId, messageId, '🔥')).toEqual([bob.id]);
  });

  it('removes a reaction, and removing it again (or one never added) changes nothing', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    const messageId = await send(alice, conversationId);
    await react(bob, conversationId, messageId, '👀');
    await react(carol, conversationId, messageId, '👀');

    const removed = await unreact(bob, conversationId, messageId, '👀');
    const again = await unreact(bob, conversationId, messageId, '👀');
    const never = await unreact(alice, conversationId, messageId, '😂');

    expect([removed.status, again.status, never.status]).toEqual([204, 204, 204]);
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([
      { emoji: '👀', count: 1, me: false },
    ]);
    await unreact(carol, conversationId, messageId, '👀');
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([]);
    expect(await allReactors(alice, conversationId, messageId, '👀')).toEqual([]);
  });

  it('takes a short name, and an emoji typed without its variation selector, as the emoji itself', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);

    await react(bob, conversationId, messageId, ':thumbsup:');
    await react(alice, conversationId, messageId, '👍');
    await react(alice, conversationId, messageId, '\u2764'); // ❤ without U+FE0F
    await react(bob, conversationId, messageId, ':heart:');

    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([
      { emoji: '❤️', count: 2, me: true },
      { emoji: '👍', count: 2, me: true },
    ]);
    expect((await unreact(bob, conversationId, messageId, '👍')).status).toBe(204);
    expect((await shown(bob, conversationId, messageId)).reactions).toContainEqual({
      emoji: '👍',
      count: 1,
      me: false,
    });
  });

  it('takes emoji sequences (skin tones, ZWJ families, flags, keycaps) as one emoji each', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    const sequences = ['👍🏽', '👨‍👩‍👧', '🇫🇷', '#️⃣', '1️⃣'];

    for (const emoji of sequences)
      expect((await react(bob, conversationId, messageId, emoji)).status).toBe(204);

    const reactions = (await shown(bob, conversationId, messageId)).reactions;
    expect(reactions.map((reaction: { emoji: string }) => reaction.emoji).sort()).toEqual(
      [...sequences].sort(),
    );
    expect(await allReactors(alice, conversationId, messageId, '#️⃣')).toEqual([bob.id]);
    expect(await allReactors(alice, conversationId, messageId, '1️⃣')).toEqual([bob.id]);
  });

  it('decodes the emoji in the path once, whichever way the client percent-encoded it', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    const base = `/conversations/${conversationId}/messages/${messageId}/reactions/`;

    // UTF-8 percent-encoded (what encodeURIComponent and every HTTP client send), and encoded twice.
    const once = await api.request('PUT', `${base}%F0%9F%9A%80`, { token: bob.token });
    const twice = await api.request('PUT', `${base}%25F0%259F%259A%2580`, { token: alice.token });

    expect([once.status, twice.status]).toEqual([204, 204]);
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([
      { emoji: '🚀', count: 2, me: true },
    ]);
  });

  it('shows reactions in the answer to an edit, and none once the message is deleted', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    await react(alice, conversationId, messageId, '✅');

    const edited = await call(alice, 'PATCH', `/conversations/${conversationId}/messages/${messageId}`, {
      text: 'edited',
    });
    expect(edited.reactions).toEqual([{ emoji: '✅', count: 1, me: true }]);

    await call(alice, 'DELETE', `/conversations/${conversationId}/messages/${messageId}`);
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([]);
    const listed = await call(bob, 'GET', reactionPath(conversationId, messageId, '✅'));
    expect(listed).toEqual({ items: [], nextCursor: null });
  });
});

describe('who reacted', () => {
  it('lists the users who reacted with an emoji, paged, each once', async () => {
    const owner = await signUpAndLogin(api);
    const members = await users(15);
    const conversationId = await group(owner, members);
    const messageId = await send(owner, conversationId);
    await Promise.all(members.map((member) => react(member, conversationId, messageId, '🙏')));
    await react(owner, conversationId, messageId, '🎉');

    const first = await call(owner, 'GET', `${reactionPath(conversationId, messageId, '🙏')}?limit=10`);
    const listed = await allReactors(owner, conversationId, messageId, '🙏');

    expect(first.items).toHaveLength(10);
    expect(first.items[0]).toEqual({ userId: expect.any(String), reactedAt: expect.any(String) });
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(listed.sort()).toEqual(members.map((member) => member.id).sort());
    expect(await allReactors(owner, conversationId, messageId, ':tada:')).toEqual([owner.id]);
  });

  it('refuses a forged cursor, and a cursor of another emoji or message, with a 400', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    const messageId = await send(alice, conversationId);
    const otherId = await send(alice, conversationId, 'another');
    for (const user of [alice, bob, carol]) {
      await react(user, conversationId, messageId, '👍');
      await react(user, conversationId, otherId, '👍');
    }
    const page = await call(alice, 'GET', `${reactionPath(conversationId, messageId, '👍')}?limit=1`);
    const cursor = encodeURIComponent(page.nextCursor);
    const forged = Buffer.from(JSON.stringify({ v: 1, kind: 'reactions', c: conversationId })).toString(
      'base64url',
    );

    for (const path of [
      `${reactionPath(conversationId, messageId, '👍')}?cursor=${forged}`,
      `${reactionPath(conversationId, messageId, '👍')}?cursor=not-a-cursor`,
      `${reactionPath(conversationId, messageId, '🎉')}?cursor=${cursor}`,
      `${reactionPath(conversationId, otherId, '👍')}?cursor=${cursor}`,
    ]) {
      expectProblem(await api.request('GET', path, { token: alice.token }), 400, '(query) cursor');
    }
  });
});

describe('bad input', () => {
  it.each([
    ['two emoji', '👍👍'],
    ['a letter', 'a'],
    ['text', 'thumbsup'],
    ['a digit alone', '1'],
    ['an unknown short name', ':not_an_emoji_name:'],
    ['a prototype key as a short name', ':constructor:'],
    ['a broken percent-encoding, encoded twice', '%25F0%259F'],
    ['a lone surrogate, encoded twice', '%25ED%25A0%2580'],
  ])('refuses %s as an emoji with a 400 naming the emoji', async (_, emoji) => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    const path = `/conversations/${conversationId}/messages/${messageId}/reactions/${
      emoji.startsWith('%') ? emoji : encodeURIComponent(emoji)
    }`;

    for (const method of ['PUT', 'DELETE', 'GET']) {
      const response = await api.request(method, path, { token: bob.token });
      expectProblem(response, 400);
      expect(JSON.stringify(response.body.errors)).toContain('emoji');
    }
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([]);
  });

  it('refuses a path whose emoji does not decode as UTF-8 with a 400, as API Gateway does', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);

    for (const emoji of ['%F0%9F', '%ED%A0%80']) {
      const path = `/conversations/${conversationId}/messages/${messageId}/reactions/${emoji}`;
      expectProblem(await api.request('PUT', path, { token: bob.token }), 400, '(path)');
    }
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([]);
  });

  it('refuses a 21st different emoji with a 409, while the 20 already there still take reactions', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    const twenty = [
      '👍',
      '👎',
      '😂',
      '😮',
      '😢',
      '😡',
      '🎉',
      '🔥',
      '👀',
      '🙏',
      '👏',
      '🙌',
      '💯',
      '✅',
      '❌',
      '💡',
      '🚀',
      '⭐',
      '🍕',
      '☕',
    ];
    await Promise.all(twenty.map((emoji) => react(bob, conversationId, messageId, emoji)));

    const refused = await react(alice, conversationId, messageId, '🥳');
    expectProblem(refused, 409, '(path) emoji');
    expect((await react(alice, conversationId, messageId, '👍')).status).toBe(204);
    const reactions = (await shown(alice, conversationId, messageId)).reactions;
    expect(reactions).toHaveLength(20);
    expect(reactions.map((reaction: { emoji: string }) => reaction.emoji)).not.toContain('🥳');

    // Once one emoji is gone, a new one fits.
    await unreact(bob, conversationId, messageId, '☕');
    expect((await react(alice, conversationId, messageId, '🥳')).status).toBe(204);
  });

  it('holds the 20-emoji cap when many different emoji arrive at once', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    const names = [
      '+1',
      '-1',
      'heart',
      'joy',
      'laughing',
      'smile',
      'wink',
      'blush',
      'heart_eyes',
      'thinking',
    ];
    const more = ['open_mouth', 'cry', 'sob', 'angry', 'rage', 'eyes', 'pray', 'clap', 'wave', 'fire'];
    const extra = ['tada', 'rocket', 'star', 'sparkles', '100'];
    const all = [...names, ...more, ...extra].map((name) => `:${name}:`);

    const answers = await Promise.all(
      all.map((emoji, i) => react(i % 2 ? alice : bob, conversationId, messageId, emoji)),
    );

    expect(answers.filter((answer) => answer.status === 204)).toHaveLength(20);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(5);
    expect((await shown(alice, conversationId, messageId)).reactions).toHaveLength(20);
  });

  it('answers 404 for an unknown message, and 409 for a deleted one, changing nothing', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    const deletedId = await send(alice, conversationId, 'to be deleted');
    await call(alice, 'DELETE', `/conversations/${conversationId}/messages/${deletedId}`);

    for (const unknown of ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'not-a-message-id']) {
      expectProblem(await react(bob, conversationId, unknown, '👍'), 404);
      expectProblem(await unreact(bob, conversationId, unknown, '👍'), 404);
      expectProblem(
        await api.request('GET', reactionPath(conversationId, unknown, '👍'), { token: bob.token }),
        404,
      );
    }
    expectProblem(await react(bob, conversationId, deletedId, '👍'), 409);
    expectProblem(await unreact(bob, conversationId, deletedId, '👍'), 409);
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([]);
    expect(await allReactors(alice, conversationId, deletedId, '👍')).toEqual([]);
  });

  it('answers a non-member 404 exactly as for a conversation that does not exist', async () => {
    const [alice, bob, mallory] = await users(3);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    await react(bob, conversationId, messageId, '👍');

    const answers = [
      await react(mallory, conversationId, messageId, '👍'),
      await unreact(mallory, conversationId, messageId, '👍'),
      await api.request('GET', reactionPath(conversationId, messageId, '👍'), { token: mallory.token }),
      await react(mallory, conversationId, '01ARZ3NDEKTSV4RRFFQ69G5FAV', '👍'),
      await react(mallory, '01ARZ3NDEKTSV4RRFFQ69G5FAV', messageId, '👍'),
    ];

    for (const answer of answers) {
      expectProblem(answer, 404);
      expect(answer.body.detail).toMatch(/^No conversation ".+" that you are a member of\.$/);
    }
    expect((await shown(bob, conversationId, messageId)).reactions).toEqual([
      { emoji: '👍', count: 1, me: true },
    ]);
  });

  it('requires a token', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);

    expectProblem(await api.request('PUT', reactionPath(conversationId, messageId, '👍')), 401);
  });
});

describe('concurrency', () => {
  it('counts 50 reactions by 50 users at once as 50, and 50 removals at once as none', async () => {
    const owner = await signUpAndLogin(api);
    const members = await users(50);
    const conversationId = await group(owner, members);
    const messageId = await send(owner, conversationId);

    const added = await Promise.all(members.map((member) => react(member, conversationId, messageId, '👍')));

    expect(added.map((answer) => answer.status)).toEqual(members.map(() => 204));
    expect((await shown(owner, conversationId, messageId)).reactions).toEqual([
      { emoji: '👍', count: 50, me: false },
    ]);
    expect((await allReactors(owner, conversationId, messageId, '👍')).sort()).toEqual(
      members.map((member) => member.id).sort(),
    );

    const removed = await Promise.all(
      members.map((member) => unreact(member, conversationId, messageId, '👍')),
    );

    expect(removed.map((answer) => answer.status)).toEqual(members.map(() => 204));
    expect((await shown(owner, conversationId, messageId)).reactions).toEqual([]);
    expect(await allReactors(owner, conversationId, messageId, '👍')).toEqual([]);
  }, 60_000);
});

describe('events', () => {
  const reactionEvent = (type: string, emoji: string) => (event: RealtimeEvent) =>
    event.type === type && 'emoji' in event && event.emoji === emoji;

  it('tells every member, the reactor included, over the WebSocket and in /sync; never a non-member', async () => {
    const [alice, bob, mallory] = await users(3);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    await api.drainStreams();
    const start = await call(alice, 'GET', '/sync');
    const [aliceSocket, bobSocket, mallorySocket] = await Promise.all([
      online(alice),
      online(bob),
      online(mallory),
    ]);

    await react(bob, conversationId, messageId, '🎉');
    const added = await aliceSocket.waitFor(reactionEvent('reaction.added', '🎉'));
    await bobSocket.waitFor(reactionEvent('reaction.added', '🎉'));
    await unreact(bob, conversationId, messageId, '🎉');
    const removed = await aliceSocket.waitFor(reactionEvent('reaction.removed', '🎉'));

    expect(added).toEqual({
      type: 'reaction.added',
      conversationId,
      messageId,
      userId: bob.id,
      emoji: '🎉',
      count: 1,
      at: expect.any(String),
      seq: expect.any(Number),
      cursor: expect.any(String),
    });
    expect(removed).toMatchObject({
      type: 'reaction.removed',
      messageId,
      userId: bob.id,
      emoji: '🎉',
      count: 0,
    });
    const synced = await call(alice, 'GET', `/sync?since=${encodeURIComponent(start.nextCursor)}`);
    expect(synced.events.map((event: RealtimeEvent) => event.type)).toEqual([
      'reaction.added',
      'reaction.removed',
    ]);
    expect(synced.events[0]).toEqual(added);
    await api.drainStreams();
    expect(mallorySocket.events.filter((event) => event.type.startsWith('reaction.'))).toEqual([]);
  });

  it('sends no event for a repeated reaction or removal, and carries the count after each change', async () => {
    const [alice, bob, carol] = await users(3);
    const conversationId = await group(alice, [bob, carol]);
    const messageId = await send(alice, conversationId);
    await api.drainStreams();
    const aliceSocket = await online(alice);

    await react(bob, conversationId, messageId, '👍');
    await react(bob, conversationId, messageId, '👍');
    await react(carol, conversationId, messageId, '👍');
    await unreact(carol, conversationId, messageId, '👍');
    await unreact(carol, conversationId, messageId, '👍');
    await aliceSocket.waitFor((event) => event.type === 'reaction.removed');
    await api.drainStreams();

    const reactions = aliceSocket.events.filter((event) => event.type.startsWith('reaction.'));
    expect(reactions.map((event) => [event.type, 'count' in event ? event.count : undefined])).toEqual([
      ['reaction.added', 1],
      ['reaction.added', 2],
      ['reaction.removed', 1],
    ]);
  });

  it('does not turn an edit or a deletion of a reacted message into a reaction event', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);
    await react(bob, conversationId, messageId, '👍');
    await api.drainStreams();
    const bobSocket = await online(bob);

    await call(alice, 'PATCH', `/conversations/${conversationId}/messages/${messageId}`, { text: 'edited' });
    await call(alice, 'DELETE', `/conversations/${conversationId}/messages/${messageId}`);
    await bobSocket.waitFor((event) => event.type === 'message.deleted');
    await api.drainStreams();

    expect(bobSocket.events.map((event) => event.type)).toEqual(['message.updated', 'message.deleted']);
    const updated = bobSocket.events[0];
    expect(updated && 'message' in updated ? updated.message : {}).not.toHaveProperty('reactions');
  });
});
