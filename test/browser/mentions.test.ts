/**
 * Mentions in the web app: an "@" badge beside the unread count in the mentioned person's inbox, live, gone
 * once they read the conversation; the mention highlighted in the message text on both sides.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  expectAccessible,
  messageWithText,
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

beforeAll(async () => {
  [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: aliceName, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: bobName, displayName: 'Bob' });
});

describe('mentions in the web app', () => {
  it('shows the mentioned person an @ badge in the inbox, and the mention highlighted in the text', async () => {
    await startChat(alice.page, bobName);
    await send(alice.page, 'Hello Bob');
    const chatWithAlice = bob.page.getByRole('link', { name: /Alice/ });
    await eventually(() => chatWithAlice.textContent()).toContain('Hello Bob');
    expect(await chatWithAlice.textContent()).not.toContain('you were mentioned');

    await send(alice.page, `Have a look, @${bobName}.`);

    await eventually(() => chatWithAlice.textContent()).toContain('you were mentioned');
    await expectAccessible(bob.page, 'inbox with a mention');
    await chatWithAlice.click();
    const mention = messageWithText(bob.page, 'Have a look').locator('.mention');
    await eventually(() => mention.textContent()).toBe(`@${bobName}`);
    await eventually(() => chatWithAlice.textContent()).not.toContain('you were mentioned');
    // The sender sees the resolved mention highlighted too; an unresolved name would stay plain text.
    await eventually(() => messageWithText(alice.page, 'Have a look').locator('.mention').count()).toBe(1);
    expect(await messageWithText(bob.page, 'Hello Bob').locator('.mention').count()).toBe(0);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
