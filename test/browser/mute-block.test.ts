/** Muting a conversation and blocking its other person from the conversation's header, in the web app. */
import { beforeAll, describe, it } from 'vitest';
import {
  aliceAndBobChatting,
  eventually,
  messageWithText,
  type Person,
  send,
  useWebApp,
} from '../support/web-app';

const web = useWebApp();
let alice: Person;
let bob: Person;

beforeAll(async () => {
  ({ alice, bob } = await aliceAndBobChatting(web, 'Hi Bob'));
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
