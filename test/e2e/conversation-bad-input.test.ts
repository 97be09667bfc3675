/**
 * Invalid input to the conversation and message routes through the local HTTP gateway: each gets a 4xx
 * problem+json naming the failing field and stores nothing; text at the limits, and text that merely looks
 * like an injection, is stored and returned exactly as sent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

let alice: SignedInUser;
let bob: SignedInUser;
/** Only ever sent invalid messages: its history must stay empty. */
let untouched: string;
/** Where valid messages go. */
let chat: string;
let group: string;

beforeAll(async () => {
  [alice, bob] = (await Promise.all([signUpAndLogin(api), signUpAndLogin(api)])) as [
    SignedInUser,
    SignedInUser,
  ];
  const direct = await api.request('POST', '/conversations', {
    token: alice.token,
    body: { type: 'direct', userId: bob.id },
  });
  untouched = direct.body.id;
  const created = await api.request('POST', '/conversations', {
    token: alice.token,
    body: { type: 'group', name: 'Valid messages', memberIds: [bob.id] },
  });
  chat = created.body.id;
  const other = await api.request('POST', '/conversations', {
    token: alice.token,
    body: { type: 'group', name: 'Original name', memberIds: [bob.id] },
  });
  group = other.body.id;
});

function sendBody(conversationId: string, body: unknown) {
  return api.request('POST', `/conversations/${conversationId}/messages`, { token: alice.token, body });
}

const sendText = (conversationId: string, text: string) =>
  sendBody(conversationId, { content: { type: 'text', text } });

async function expectNothingStored() {
  const history = await api.request('GET', `/conversations/${untouched}/messages`, { token: bob.token });
  expect(history.body.items).toEqual([]);
}

async function groupName() {
  const details = await api.request('GET', `/conversations/${group}`, { token: bob.token });
  return details.body.name;
}

describe('message text limits', () => {
  it('accepts exactly 5000 characters, counting an emoji as one', async () => {
    const ascii = await sendText(chat, 'a'.repeat(5000));
    const emoji = await sendText(chat, '🙂'.repeat(5000));

    expect([ascii.status, emoji.status]).toEqual([201, 201]);
    expect(emoji.body.content.text).toBe('🙂'.repeat(5000));
  });

  it.each([
    ['5001 letters', 'a'.repeat(5001)],
    ['5001 emoji', '🙂'.repeat(5001)],
    ['only spaces', '   '],
    ['only newlines and tabs', '\n\t\n'],
    ['empty', ''],
    ['a bell control character', 'ring \u0007'],
    ['a NUL character', 'nul \u0000 here'],
    ['an escape character', '\u001b[31mred'],
    ['a DEL character', 'del \u007f'],
  ])('rejects text that is %s with 400 naming content.text, and stores nothing', async (_name, text) => {
    const response = await sendText(untouched, text);

    expectProblem(response, 400, 'content.text');
    await expectNothingStored();
  });

  it('keeps newlines and tabs, which are allowed, exactly as sent', async () => {
    const text = 'line one\n\tindented line two\n\nline four\t';

    const response = await sendText(chat, text);

    expect(response.status).toBe(201);
    const history = await api.request('GET', `/conversations/${chat}/messages?limit=1`, { token: bob.token });
    expect(history.body.items[0].content.text).toBe(text);
  });

  it.each([
    ['5001 characters', 'e'.repeat(5001)],
    ['blank', '  '],
    ['a control character', 'bell\u0007'],
  ])(
    'rejects an edit to text that is %s with 400 naming text, and keeps the message',
    async (_name, text) => {
      const original = await sendText(chat, 'before the edit');

      const response = await api.request('PATCH', `/conversations/${chat}/messages/${original.body.id}`, {
        token: alice.token,
        body: { text },
      });

      expectProblem(response, 400, 'text');
      const history = await api.request('GET', `/conversations/${chat}/messages?limit=1`, {
        token: bob.token,
      });
      expect(history.body.items[0]).toMatchObject({
        id: original.body.id,
        content: { text: 'before the edit' },
      });
    },
  );
});

describe('wrongly shaped message bodies', () => {
  it.each([
    ['content as a string', { content: 'hi' }, 'content'],
    ['content missing', { clientMessageId: 'abc' }, 'content'],
    ['content null', { content: null }, 'content'],
    ['content.text as a number', { content: { type: 'text', text: 5 } }, 'content.text'],
    ['content.text missing', { content: { type: 'text' } }, 'content.text'],
    ['an unknown content type', { content: { type: 'sticker', text: 'hi' } }, 'content.type'],
    ['content without a type', { content: { text: 'hi' } }, 'content.type'],
    ['an unknown field in content', { content: { type: 'text', text: 'hi', bold: true } }, 'content.bold'],
    ['an unknown top-level field', { content: { type: 'text', text: 'hi' }, priority: 'high' }, 'priority'],
    ['a senderId field', { content: { type: 'text', text: 'hi' }, senderId: 'someone' }, 'senderId'],
    [
      'a clientMessageId with a space',
      { content: { type: 'text', text: 'hi' }, clientMessageId: 'a b' },
      'clientMessageId',
    ],
    [
      'a clientMessageId of 101 characters',
      { content: { type: 'text', text: 'hi' }, clientMessageId: 'c'.repeat(101) },
      'clientMessageId',
    ],
  ])('rejects %s with 400 naming %s, and stores nothing', async (_name, body, field) => {
    const response = await sendBody(untouched, body);

    expectProblem(response, 400, field);
    await expectNothingStored();
  });

  it.each([
    ['a JSON array', '[{"content":{"type":"text","text":"hi"}}]'],
    ['a JSON string', '"hi"'],
    ['malformed JSON', '{"content": {"type": "text", "text": "hi"'],
  ])('rejects %s as the body with 400 naming the body', async (_name, rawBody) => {
    const response = await api.request('POST', `/conversations/${untouched}/messages`, {
      token: alice.token,
      rawBody,
      headers: { 'content-type': 'application/json' },
    });

    expectProblem(response, 400, '(body)');
    await expectNothingStored();
  });

  it('rejects a body that is not JSON with 415 naming the content type', async () => {
    const response = await api.request('POST', `/conversations/${untouched}/messages`, {
      token: alice.token,
      rawBody: 'content=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expectProblem(response, 415, '(header) content-type');
    await expectNothingStored();
  });

  it('rejects a body over 64 KB with 413, and stores nothing', async () => {
    const response = await sendBody(untouched, {
      content: { type: 'text', text: 'hi' },
      clientMessageId: 'padding',
      padding: 'x'.repeat(65 * 1024),
    });

    expectProblem(response, 413, '(body)');
    await expectNothingStored();
  });

  it('rejects 5000 emoji padded past 64 KB with 413 before looking at the text', async () => {
    const response = await sendBody(untouched, {
      content: { type: 'text', text: '🙂'.repeat(5000) },
      pad: 'p'.repeat(50_000),
    });

    expectProblem(response, 413, '(body)');
  });

  it('rejects a read marker without messageId, or with a number, with 400 naming messageId', async () => {
    const missing = await api.request('POST', `/conversations/${chat}/read`, { token: bob.token, body: {} });
    const number = await api.request('POST', `/conversations/${chat}/read`, {
      token: bob.token,
      body: { messageId: 42 },
    });

    expectProblem(missing, 400, 'messageId');
    expectProblem(number, 400, 'messageId');
  });
});

describe('invalid conversation requests', () => {
  it.each([
    ['memberIds as a string', { type: 'group', name: 'g', memberIds: 'x' }, 'memberIds'],
    ['memberIds with a number', { type: 'group', name: 'g', memberIds: [5] }, 'memberIds.0'],
    ['memberIds missing', { type: 'group', name: 'g' }, 'memberIds'],
    ['a name of 101 characters', { type: 'group', name: 'n'.repeat(101), memberIds: [] }, 'name'],
    ['a blank name', { type: 'group', name: '   ', memberIds: [] }, 'name'],
    ['a name with a newline', { type: 'group', name: 'two\nlines', memberIds: [] }, 'name'],
    ['a name that is a number', { type: 'group', name: 7, memberIds: [] }, 'name'],
    ['an unknown type', { type: 'channel', name: 'g', memberIds: [] }, 'type'],
    ['no type', { name: 'g', memberIds: [] }, 'type'],
    ['a direct conversation without userId', { type: 'direct' }, 'userId'],
    ['a direct conversation with a userId that is a number', { type: 'direct', userId: 42 }, 'userId'],
    ['an unknown field', { type: 'group', name: 'g', memberIds: [], isPublic: true }, 'isPublic'],
    ['a name on a direct conversation', { type: 'direct', userId: 'someone', name: 'us' }, 'name'],
  ])('rejects creating with %s with 400 naming %s, and creates nothing', async (_name, body, field) => {
    const caller = await signUpAndLogin(api);

    const response = await api.request('POST', '/conversations', { token: caller.token, body });

    expectProblem(response, 400, field);
    const list = await api.request('GET', '/conversations', { token: caller.token });
    expect(list.body.items).toEqual([]);
  });

  it('accepts a group name of exactly 100 characters', async () => {
    const name = 'n'.repeat(100);

    const response = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'group', name, memberIds: [] },
    });

    expect(response.status).toBe(201);
    expect(response.body.name).toBe(name);
  });

  it('rejects creating with a body over 64 KB with 413', async () => {
    const response = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'group', name: 'big', memberIds: [], pad: 'x'.repeat(70_000) },
    });

    expectProblem(response, 413, '(body)');
  });

  it.each([
    ['a name of 101 characters', { name: 'n'.repeat(101) }, 'name'],
    ['a blank name', { name: ' ' }, 'name'],
    ['a name with a control character', { name: 'bell\u0007' }, 'name'],
    ['no name', {}, 'name'],
    ['an unknown field', { name: 'ok', topic: 'x' }, 'topic'],
  ])('rejects renaming with %s with 400 naming %s, and keeps the name', async (_name, body, field) => {
    const response = await api.request('PATCH', `/conversations/${group}`, { token: alice.token, body });

    expectProblem(response, 400, field);
    expect(await groupName()).toBe('Original name');
  });

  it.each([
    ['userIds as a string', { userIds: 'x' }, 'userIds'],
    ['an empty userIds', { userIds: [] }, 'userIds'],
    ['userIds with null', { userIds: [null] }, 'userIds.0'],
    ['an unknown field', { userIds: ['x'], role: 'admin' }, 'role'],
  ])('rejects adding members with %s with 400 naming %s', async (_name, body, field) => {
    const response = await api.request('POST', `/conversations/${group}/members`, {
      token: alice.token,
      body,
    });

    expectProblem(response, 400, field);
    const details = await api.request('GET', `/conversations/${group}`, { token: alice.token });
    expect(details.body.memberCount).toBe(2);
  });
});

describe('text that looks like an injection', () => {
  const lookalikes = [
    '<script>alert(1)</script>',
    "'; DROP TABLE messages; --",
    '{"$ne":1}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is what is being sent
    '${jndi:ldap://x}',
    'attribute_not_exists(PK) OR :x',
    '../../etc/passwd',
  ];

  it.each(lookalikes)('stores and returns the message text %s verbatim', async (text) => {
    const sent = await sendText(chat, text);

    const history = await api.request('GET', `/conversations/${chat}/messages?limit=1`, { token: bob.token });

    expect(sent.status).toBe(201);
    expect(sent.body.content.text).toBe(text);
    expect(history.body.items[0]).toMatchObject({ id: sent.body.id, content: { type: 'text', text } });
  });

  it.each(lookalikes)('stores and returns the group name %s verbatim', async (name) => {
    const created = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'group', name, memberIds: [bob.id] },
    });

    const details = await api.request('GET', `/conversations/${created.body.id}`, { token: bob.token });

    expect(created.status).toBe(201);
    expect(details.body.name).toBe(name);
  });

  it('shows an injection-looking last message verbatim in the conversation list preview', async () => {
    const text = '<img src=x onerror=alert(1)>';
    await sendText(chat, text);
    await api.drainStreams();

    const list = await api.request('GET', '/conversations?limit=100', { token: bob.token });

    const entry = list.body.items.find((item: { id: string }) => item.id === chat);
    expect(entry.lastMessage.preview).toBe(text);
  });
});
