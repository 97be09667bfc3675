/**
 * Time passing: access tokens and signed media URLs expire while the app stays open. Here they live seconds
 * (set before the functions load their configuration), so the app's renewals are exercised for real.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  drawPicture,
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

process.env.ACCESS_TOKEN_TTL_SECONDS = '4';
process.env.SIGNED_URL_TTL_SECONDS = '3';

const web = useWebApp();
const names = { alice: uniqueName('alice'), bob: uniqueName('bob') };
let alice: Person;
let bob: Person;
const refreshes: string[] = [];

beforeAll(async () => {
  [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  alice.page.on('request', (request) => {
    if (request.url().endsWith('/token/refresh')) refreshes.push(request.url());
  });
  await signUp(alice.page, web.webUrl, { username: names.alice, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: names.bob, displayName: 'Bob' });
  await startChat(alice.page, names.bob);
});

describe('an app left open', () => {
  it('renews the access token before it expires and keeps working', async () => {
    await alice.page.waitForTimeout(9_000);
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
    await send(alice.page, 'Still signed in after the token expired twice');
    await bob.page.getByRole('link', { name: /Alice/ }).click();
    await messageWithText(bob.page, 'Still signed in').waitFor();
  });

  it('reconnects the socket with a fresh token after it drops', async () => {
    await alice.page.waitForTimeout(5_000);
    web.api.dropWebSocketConnections();
    await send(bob.page, 'Sent while Alice reconnects');
    await eventually(() => alice.page.getByRole('status').filter({ hasText: 'Connected' }).count()).toBe(1);
    await messageWithText(alice.page, 'Sent while Alice reconnects').waitFor();
    await send(bob.page, 'And live again');
    await messageWithText(alice.page, 'And live again').waitFor();
  });

  it('shows pictures again after their signed URLs expired', async () => {
    await alice.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'dusk.png', mimeType: 'image/png', buffer: await drawPicture(web.browser) });
    const picture = messages(bob.page).getByRole('img', { name: 'Picture from Alice' });
    await picture.waitFor();
    await bob.page.waitForTimeout(4_000);
    // Leaving the conversation and coming back renders the picture anew, after its URL expired.
    await bob.page.getByRole('link', { name: 'New chat' }).click();
    await bob.page.goBack();
    await eventually(() =>
      messages(bob.page)
        .getByRole('img', { name: 'Picture from Alice' })
        .evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth),
    ).toBe(320);
  });
});
