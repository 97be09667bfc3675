/** Muting a conversation and blocking its other person from the conversation's header, in the web app. */
import { beforeAll, describe, it } from 'vitest';
import {
  eventually,
  messageWithText,
  type Person,
  send,
  signUp,
  startChat,
  uniqueName,
  useWebApp,
} from '../support/web-app';

const web = useWebApp();
const names = { alice: uniqueName('alice'), bob: uniqueName('bob') };
let alice: Person;
let bob: Person;

beforeAll(async () => {
  [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: names.alice, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: names.bob, displayName: 'Bob' });
  await startChat(alice.page, names.bob);
  await send(alice.page, 'Hi Bob');
  await bob.page.getByRole('link', { name: /Alice/ }).click();
  await messageWithText(bob.page, 'Hi Bob').waitFor();
});

describe("a conversation's header", () => {
  it('mutes and unmutes the conversation, as a toggle button', async () => {
    const toggle = () => alice.page.getByRole('button', { name: /^(Mute|Unmute)$/ });
    await eventually(() => toggle().getAttribute('aria-pressed')).toBe('false');

    await toggle().click();
    await eventually(() => toggle().innerText()).toBe('Unmute');
    await eventually(() => toggle().getAttribute('aria-pressed')).toBe('true');

    await toggle().click();
    await eventually(() => toggle().innerText()).toBe('Mute');
  });

  it('blocks the other person, whose next message is refused with "You can\'t message this user"', async () => {
    await alice.page.getByRole('button', { name: 'Block' }).click();
    await eventually(() => alice.page.locator('body').innerText()).toContain('Blocked');

    await send(bob.page, 'Are you there?');

    await eventually(() => messageWithText(bob.page, 'Are you there?').innerText()).toContain(
      "You can't message this user",
    );
  });
});
