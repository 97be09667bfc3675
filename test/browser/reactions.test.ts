/**
 * Reactions in the web app: chips under a message, click to add or take back one's own, live on both sides.
 * And thread replies (which the app does not show yet) stay out of the timeline when they arrive live.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  expectAccessible,
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

beforeAll(async () => {
  [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: aliceName, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: bobName, displayName: 'Bob' });
});

const chip = (person: Person, text: string, emoji: string) =>
  messageWithText(person.page, text).getByRole('button', { name: new RegExp(`^${emoji} \\d`) });

describe('reactions in the web app', () => {
  it('adds a reaction from the picker, shows it live to the other person, and toggles own reactions on click', async () => {
    await startChat(alice.page, bobName);
    await send(alice.page, 'React to this');
    await bob.page.getByRole('link', { name: /Alice/ }).click();
    const bobsMessage = messageWithText(bob.page, 'React to this');
    await bobsMessage.waitFor();

    await bobsMessage.getByRole('button', { name: 'React', exact: true }).click();
    await expectAccessible(bob.page, 'reaction picker');
    await bobsMessage.getByRole('button', { name: 'React with 🎉' }).click();

    await eventually(() => chip(bob, 'React to this', '🎉').getAttribute('aria-label')).toBe(
      '🎉 1, you reacted',
    );
    await eventually(() => chip(alice, 'React to this', '🎉').getAttribute('aria-label')).toBe('🎉 1');
    expect(await chip(alice, 'React to this', '🎉').getAttribute('aria-pressed')).toBe('false');

    // Alice joins in by clicking the chip; Bob takes his back by clicking his.
    await chip(alice, 'React to this', '🎉').click();
    await eventually(() => chip(bob, 'React to this', '🎉').getAttribute('aria-label')).toBe(
      '🎉 2, you reacted',
    );
    await chip(bob, 'React to this', '🎉').click();
    await eventually(() => chip(alice, 'React to this', '🎉').getAttribute('aria-label')).toBe(
      '🎉 1, you reacted',
    );
    await eventually(() => chip(bob, 'React to this', '🎉').getAttribute('aria-label')).toBe('🎉 1');

    // The last one taken back: no chip is left.
    await chip(alice, 'React to this', '🎉').click();
    await eventually(() => chip(bob, 'React to this', '🎉').count()).toBe(0);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('keeps a thread reply that arrives live out of the timeline, as the history it loads leaves replies out', async () => {
    const login = await fetch(`${web.api.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: bobName, password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const conversationId = new URL(alice.page.url()).pathname.split('/')[2];
    const sendAsBob = async (body: object) =>
      fetch(`${web.api.url}/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const root = (await (await sendAsBob({ content: { type: 'text', text: 'Start a thread' } })).json()) as {
      id: string;
    };
    await messageWithText(alice.page, 'Start a thread').waitFor();

    await sendAsBob({ content: { type: 'text', text: 'A reply in the thread' }, parentMessageId: root.id });
    await sendAsBob({ content: { type: 'text', text: 'Back in the timeline' } });

    await messageWithText(alice.page, 'Back in the timeline').waitFor();
    expect(await messageWithText(alice.page, 'A reply in the thread').count()).toBe(0);
    expect(alice.errors).toEqual([]);
  });
});
