/**
 * Presence in the web app: a direct conversation's header says whether the other person is online, and changes
 * when they leave, live (presence.changed). The debounce window is 2 s here (30 s by default).
 */
import { beforeAll, describe, expect, it } from 'vitest';
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

const web = useWebApp({ env: { PRESENCE_NOTICE_INTERVAL_SECONDS: '2' } });
const names = { alice: uniqueName('alice'), bob: uniqueName('bob') };
let alice: Person;
let bob: Person;

beforeAll(async () => {
  [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: names.alice, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: names.bob, displayName: 'Bob' });
  await startChat(alice.page, names.bob);
  await send(alice.page, 'Are you there?');
  await bob.page.getByRole('link', { name: /Alice/ }).click();
  await messageWithText(bob.page, 'Are you there?').waitFor();
});

describe("a direct conversation's header", () => {
  const subtitle = () => bob.page.locator('.conversation-heading p').innerText();

  it('says the other person is online while they have the app open', async () => {
    await eventually(subtitle).toBe(`@${names.alice} · Online`);
  });

  it('says when they were last seen once they close it, without a reload', async () => {
    await alice.context.close();
    await eventually(subtitle, 15_000).toMatch(new RegExp(`^@${names.alice} · Last seen \\d`));
    expect(bob.errors).toEqual([]);
  });
});
