/**
 * Presence in the web app: a direct conversation's header says whether the other person is online, and changes
 * when they leave, live (presence.changed). The debounce window is 2 s here (30 s by default).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { aliceAndBobChatting, eventually, type Person, useWebApp } from '../support/web-app';

const web = useWebApp({ env: { PRESENCE_NOTICE_INTERVAL_SECONDS: '2' } });
let names: { alice: string; bob: string };
let alice: Person;
let bob: Person;

beforeAll(async () => {
  ({ names, alice, bob } = await aliceAndBobChatting(web, 'Are you there?'));
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
