/**
 * The web app under the API's limits (issue 8), against a stack whose send limit is small (set as a deployment
 * sets it): a refused send waits as long as `Retry-After` says, says so, and then goes out in order; other
 * refusals show the server's reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  messages,
  messageWithText,
  type Person,
  send,
  signUp,
  startChat,
  uniqueName,
  useWebApp,
} from '../support/web-app';

const WINDOW = 6;
const web = useWebApp({ env: { RATE_LIMITS: 'on', RATE_LIMIT_SEND_MESSAGE: `2/${WINDOW}` } });
const names = { alice: uniqueName('alice'), bob: uniqueName('bob'), carol: uniqueName('carol') };
let alice: Person;
let bob: Person;
let carol: Person;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for the start of a fresh window, so the sends below fall inside one window. */
const atWindowStart = () => pause((WINDOW - ((Date.now() / 1000) % WINDOW)) * 1000 + 50);

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([web.newPerson(), web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: names.alice, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: names.bob, displayName: 'Bob' });
  await signUp(carol.page, web.webUrl, { username: names.carol, displayName: 'Carol' });
});

describe('sending faster than the limit', () => {
  it('waits as long as Retry-After says, says so, then sends everything in order', async () => {
    await startChat(alice.page, names.bob);
    const sends: string[] = [];
    alice.page.on('request', (request) => {
      if (request.method() === 'POST' && /\/messages$/.test(request.url()))
        sends.push(request.postData() ?? '');
    });
    await atWindowStart();

    for (const text of ['alpha', 'bravo', 'charlie']) await send(alice.page, text);
    const countdown = alice.page.getByRole('status').filter({ hasText: 'Sending too fast' });
    await countdown.first().waitFor();
    const shown = await countdown.first().innerText();
    // Sent while waiting: it queues behind the refused one instead of being refused too.
    await send(alice.page, 'delta');

    expect(shown).toMatch(/^Sending too fast, retrying in \d s$/);
    const seconds = Number(/(\d) s$/.exec(shown)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(WINDOW);
    await messageWithText(alice.page, 'delta').filter({ hasText: 'Sending too fast' }).waitFor();
    await bob.page.getByRole('link', { name: /Alice/ }).click();
    await eventually(() => messages(bob.page).innerText(), (WINDOW + 4) * 1000).toContain('delta');
    const text = await messages(bob.page).innerText();
    const order = ['alpha', 'bravo', 'charlie', 'delta'].map((word) => text.indexOf(word));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await eventually(() => countdown.count()).toBe(0);
    expect(await alice.page.getByText('Not sent').count()).toBe(0);
    // Nothing was sent during the wait: the refused one once more, and the queued one, after it.
    expect(sends.map((body) => JSON.parse(body).content.text)).toEqual([
      'alpha',
      'bravo',
      'charlie',
      'charlie',
      'delta',
    ]);
  });
});

describe('other refusals', () => {
  it("shows the server's reason when a group names someone who shares no conversation with the creator", async () => {
    await alice.page.getByRole('link', { name: 'New group' }).click();
    await alice.page.getByLabel('Group name').fill('Strangers');
    await alice.page.getByLabel(/Members/).fill(names.carol);
    await alice.page.getByRole('button', { name: 'Create group' }).click();

    await eventually(() => alice.page.getByRole('alert').filter({ hasText: /\S/ }).innerText()).toContain(
      'You can only add people you share a conversation with',
    );
    await carol.page.reload();
    await carol.page.getByRole('heading', { name: 'Chats' }).waitFor();
    expect(await carol.page.getByRole('link', { name: /Strangers/ }).count()).toBe(0);
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect([...alice.errors, ...bob.errors, ...carol.errors]).toEqual([]);
  });
});
