/**
 * Losing the connection: messages written meanwhile wait on screen and are delivered once, with the same
 * clientMessageId on every attempt, when the connection returns; the app catches up on what it missed.
 */
import type { Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  messages,
  messageWithText,
  PASSWORD,
  type Person,
  send,
  signUp,
  startChat,
  uniqueName,
  useWebApp,
} from '../support/web-app';

const web = useWebApp();
const aliceName = uniqueName('alice');
const bobName = uniqueName('bob');
let alice: Person;
let bob: Person;

/** Every POST of a message the page made, with the body it sent. */
function recordSends(person: Person) {
  const sent: { text: string; clientMessageId: string }[] = [];
  person.page.on('request', (request: Request) => {
    if (request.method() !== 'POST' || !/\/conversations\/[^/]+\/messages$/.test(request.url())) return;
    const body = request.postDataJSON() as { content: { text?: string }; clientMessageId: string };
    sent.push({ text: body.content.text ?? '', clientMessageId: body.clientMessageId });
  });
  return sent;
}

/** The conversation's history as the API has it (Bob's view), to count stored copies. */
async function storedTexts() {
  const login = await fetch(`${web.api.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: bobName, password: PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  const inbox = (await (
    await fetch(`${web.api.url}/conversations`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { items: { id: string }[] };
  const history = (await (
    await fetch(`${web.api.url}/conversations/${inbox.items[0]?.id}/messages?limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json()) as { items: { content: { text?: string } | null }[] };
  return history.items.map((message) => message.content?.text);
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: aliceName, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: bobName, displayName: 'Bob' });
  await startChat(alice.page, bobName);
  await send(alice.page, 'Before the outage');
  await bob.page.getByRole('link', { name: /Alice/ }).click();
  await messageWithText(bob.page, 'Before the outage').waitFor();
});

describe('losing the connection', () => {
  it('keeps messages written offline as pending and delivers each exactly once when the connection returns', async () => {
    const sent = recordSends(alice);
    await alice.context.setOffline(true);
    web.api.dropWebSocketConnections();
    await eventually(() => alice.page.getByRole('status').filter({ hasText: 'Offline' }).count()).toBe(1);

    await send(alice.page, 'Written offline, one');
    await send(alice.page, 'Written offline, two');
    for (const text of ['Written offline, one', 'Written offline, two']) {
      await eventually(() => messageWithText(alice.page, text).innerText()).toContain('Pending');
    }
    // Meanwhile Bob (whose socket was cut too) reconnects and keeps chatting.
    await eventually(() => bob.page.getByRole('status').filter({ hasText: 'Connected' }).count()).toBe(1);
    await send(bob.page, 'Are you there?');

    await alice.context.setOffline(false);
    await eventually(() => alice.page.getByRole('status').filter({ hasText: 'Connected' }).count()).toBe(1);
    // Alice catches up on what she missed, and Bob receives her messages live, each once.
    await messageWithText(alice.page, 'Are you there?').waitFor();
    for (const text of ['Written offline, one', 'Written offline, two']) {
      await eventually(() => messageWithText(bob.page, text).count()).toBe(1);
      await eventually(() => messageWithText(alice.page, text).innerText()).not.toContain('Pending');
      expect(await messageWithText(alice.page, text).count()).toBe(1);
    }
    const stored = await storedTexts();
    expect(stored.filter((text) => text === 'Written offline, one')).toHaveLength(1);
    expect(stored.filter((text) => text === 'Written offline, two')).toHaveLength(1);
    // Every attempt at the same message carried the same clientMessageId.
    for (const text of ['Written offline, one', 'Written offline, two']) {
      const ids = new Set(
        sent.filter((attempt) => attempt.text === text).map((attempt) => attempt.clientMessageId),
      );
      expect(ids.size).toBe(1);
    }
  });

  it('retries a failed send with the same clientMessageId and stores it once', async () => {
    const sent = recordSends(alice);
    let failures = 0;
    await alice.page.route('**/conversations/*/messages', async (route) => {
      if (route.request().method() === 'POST' && failures < 1) {
        failures += 1;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await send(alice.page, 'Retried until it arrives');
    await eventually(() => messageWithText(bob.page, 'Retried until it arrives').count()).toBe(1);
    await alice.page.unroute('**/conversations/*/messages');

    const attempts = sent.filter((attempt) => attempt.text === 'Retried until it arrives');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((attempt) => attempt.clientMessageId)).size).toBe(1);
    expect((await storedTexts()).filter((text) => text === 'Retried until it arrives')).toHaveLength(1);
  });

  it('shows a message once when the server stored it but the answer was lost on the way back', async () => {
    let lost = false;
    await alice.page.route('**/conversations/*/messages', async (route) => {
      if (route.request().method() === 'POST' && !lost) {
        lost = true;
        await route.fetch(); // reaches the server, which stores the message
        return route.abort('connectionreset'); // but the page never sees the answer
      }
      return route.continue();
    });
    await send(alice.page, 'Answer lost on the way');
    await eventually(() => messageWithText(bob.page, 'Answer lost on the way').count()).toBe(1);
    await eventually(() => messageWithText(alice.page, 'Answer lost on the way').innerText()).not.toMatch(
      /Pending|Sending/,
    );
    expect(await messageWithText(alice.page, 'Answer lost on the way').count()).toBe(1);
    await alice.page.unroute('**/conversations/*/messages');
    expect((await storedTexts()).filter((text) => text === 'Answer lost on the way')).toHaveLength(1);
    expect(
      await messages(bob.page).getByRole('listitem').filter({ hasText: 'Answer lost on the way' }).count(),
    ).toBe(1);
  });

  it('keeps what is pending across a reload of the tab and sends it afterwards', async () => {
    await alice.context.setOffline(true);
    await send(alice.page, 'Survives a reload');
    await eventually(() => messageWithText(alice.page, 'Survives a reload').innerText()).toContain('Pending');
    await alice.context.setOffline(false);
    await alice.page.reload();
    await eventually(() => messageWithText(bob.page, 'Survives a reload').count()).toBe(1);
    expect((await storedTexts()).filter((text) => text === 'Survives a reload')).toHaveLength(1);
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
