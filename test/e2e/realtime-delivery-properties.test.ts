/**
 * Whatever the API accepts reaches every member's socket: no content a user can send makes its stream record
 * fail, or holds back anyone else's messages (issue 14: metadata `{"b":{}}` was accepted, then its record
 * failed on every retry and the records after it were dropped). Property-based: fast-check generates message
 * content, odd metadata included, and each accepted message must arrive on the socket of every member of its
 * conversation, sender included, with the content the API answered.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageEvent } from '../../functions/shared/schemas/realtime';
import { makeContacts, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { pngImage } from '../support/media-fixtures';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();

async function call(user: SignedInUser, method: string, path: string, body?: unknown) {
  const response = await api.request(method, path, { token: user.token, body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

async function readyImage(owner: SignedInUser): Promise<string> {
  const image = pngImage(3);
  const declared = await call(owner, 'POST', '/media', {
    purpose: 'attachment',
    contentType: 'image/png',
    size: image.length,
  });
  const form = new FormData();
  for (const [name, value] of Object.entries<string>(declared.upload.fields)) form.append(name, value);
  form.append('file', new Blob([image], { type: 'image/png' }));
  expect((await fetch(declared.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  for (let tries = 0; tries < 100; tries++) {
    if ((await call(owner, 'GET', `/media/${declared.id}`)).status === 'ready') return declared.id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the upload never became ready');
}

let alice: SignedInUser;
let bob: SignedInUser;
let carol: SignedInUser;
let direct: string;
let group: string;
const images = new Map<string, string>();
const sockets = new Map<string, TestSocket>();

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api), signUpAndLogin(api)]);
  direct = (await call(alice, 'POST', '/conversations', { type: 'direct', userId: bob.id })).id;
  await makeContacts(api, alice, carol);
  group = (
    await call(alice, 'POST', '/conversations', {
      type: 'group',
      name: 'Properties',
      memberIds: [bob.id, carol.id],
    })
  ).id;
  for (const user of [alice, bob, carol]) {
    images.set(user.id, await readyImage(user));
    sockets.set(user.id, await connect(api.wsUrl, user.token));
  }
});

afterAll(async () => {
  for (const socket of sockets.values()) {
    expect(socket.invalid).toEqual([]);
    await socket.close();
  }
});

const membersOf = (conversationId: string) =>
  conversationId === direct ? [alice, bob] : [alice, bob, carol];

const metadataKey = fc.oneof(
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'M', 'NULL', 'S'),
);

/** JSON a client may put in metadata, odd shapes first in mind: empty objects and arrays, prototype-ish keys. */
const metadataValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 20, unit: 'binary' }),
    fc.maxSafeInteger(),
    // Any JSON number, from 5e-324 to 1.7e308: metadata is stored as JSON text, not as DynamoDB numbers.
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constant({}),
    fc.constant([]),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(metadataKey, tie('value'), { maxKeys: 3 }),
  ),
})).value;

type Sent = { conversationId: string; sender: SignedInUser; body: unknown };

const messageArbitrary: fc.Arbitrary<Sent> = fc
  .record({
    toGroup: fc.boolean(),
    senderIndex: fc.nat(2),
    content: fc.oneof(
      fc.record({
        type: fc.constantFrom('text', 'string'),
        text: fc
          .string({ minLength: 1, maxLength: 200, unit: 'grapheme' })
          .filter((text) => text.trim().length > 0),
      }),
      fc.record(
        { type: fc.constant('image'), metadata: fc.dictionary(metadataKey, metadataValue, { maxKeys: 4 }) },
        { requiredKeys: ['type'] },
      ),
    ),
    clientMessageId: fc.option(fc.uuid(), { nil: undefined }),
  })
  .map(({ toGroup, senderIndex, content, clientMessageId }) => {
    const conversationId = toGroup ? group : direct;
    const members = membersOf(conversationId);
    const sender = members[senderIndex % members.length] as SignedInUser;
    const body =
      content.type === 'image'
        ? { ...content, image: images.get(sender.id) }
        : { type: content.type, text: content.text };
    return {
      conversationId,
      sender,
      body: { content: body, ...(clientMessageId ? { clientMessageId } : {}) },
    };
  });

/** Sends the messages at once; every accepted one must reach the socket of every member, as answered. */
async function sendAndExpectDelivery(messages: Sent[]): Promise<number> {
  const responses = await Promise.all(
    messages.map((message) =>
      api.request('POST', `/conversations/${message.conversationId}/messages`, {
        token: message.sender.token,
        body: message.body,
      }),
    ),
  );
  let accepted = 0;
  for (const [index, response] of responses.entries()) {
    // Refusals must be the client's fault and say so (4xx problem+json); never a 500.
    expect(response.status, response.text).toBeLessThan(500);
    if (response.status !== 201) continue;
    accepted += 1;
    const { conversationId } = messages[index] as Sent;
    const sent = response.body;
    for (const member of membersOf(conversationId)) {
      const event = await (sockets.get(member.id) as TestSocket).waitFor<MessageEvent>(
        (candidate) => candidate.type === 'message.created' && candidate.message.id === sent.id,
        20_000,
      );
      const {
        url: _eventUrl,
        urlExpiresAt: _eventExpiry,
        ...eventContent
      } = event.message.content as Record<string, unknown>;
      const { url: _url, urlExpiresAt: _expiry, ...sentContent } = sent.content;
      expect(eventContent).toEqual(sentContent);
    }
  }
  return accepted;
}

describe('real-time delivery of whatever the API accepts', () => {
  it('delivers image messages with empty-object and __proto__ metadata, and the text messages around them', async () => {
    const odd = [{ b: {} }, JSON.parse('{"__proto__":{"x":1}}'), { a: [] }, { nested: { deeper: {} } }];
    const messages: Sent[] = [
      { conversationId: direct, sender: bob, body: { content: { type: 'text', text: 'before' } } },
      ...odd.map((metadata) => ({
        conversationId: group,
        sender: alice,
        body: { content: { type: 'image', image: images.get(alice.id), metadata } },
      })),
      { conversationId: group, sender: carol, body: { content: { type: 'text', text: 'after' } } },
    ];

    expect(await sendAndExpectDelivery(messages)).toBe(messages.length);
  }, 60_000);

  it('delivers every accepted message, whatever its content, to every member of its conversation', async () => {
    let generated = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(messageArbitrary, { minLength: 1, maxLength: 6 }), async (messages) => {
        generated += messages.length;
        accepted += await sendAndExpectDelivery(messages);
      }),
      { numRuns: 12 },
    );
    // The property says something only if most of what was generated was accepted.
    expect(accepted).toBeGreaterThan(generated / 2);
  }, 120_000);
});
