/**
 * Every main screen at phone and desktop width: no serious or critical accessibility violations (axe), the
 * layout each width gets, the main flows with the keyboard alone, and the screenshots the README shows.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pngImage } from '../support/media-fixtures';
import {
  DESKTOP,
  drawPicture,
  eventually,
  expectAccessible,
  messageWithText,
  PASSWORD,
  type Person,
  PHONE,
  screenshot,
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

/** Presses Tab until the focused element has this accessible name (role and name as a screen reader says). */
async function tabTo(page: Page, name: string | RegExp, maxPresses = 40) {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element) return '';
      const labelled = element.getAttribute('aria-label');
      const label = element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : null;
      return (labelled ?? label ?? element.innerText ?? '').trim();
    });
    if (typeof name === 'string' ? focused === name : name.test(focused)) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: names.alice, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: names.bob, displayName: 'Bob' });
});

describe('profile', () => {
  it('changes the display name and location, and uploads a picture after showing a preview', async () => {
    await alice.page.getByRole('link', { name: /^Profile/ }).click();
    await alice.page.getByLabel('Display name').fill('Alice Liddell');
    await alice.page.getByLabel('Location').fill('Oxford');
    await alice.page.getByRole('button', { name: 'Save profile' }).click();
    await alice.page.getByRole('link', { name: 'Profile (Alice Liddell)' }).waitFor();

    await alice.page
      .getByLabel(/Choose a picture/)
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: pngImage(64, [60, 140, 90]) });
    await alice.page.getByRole('img', { name: 'Preview of your new avatar' }).waitFor();
    await expectAccessible(alice.page, 'profile');
    await screenshot(alice.page, 'profile-desktop');
    await alice.page.getByRole('button', { name: 'Upload picture' }).click();
    await eventually(() => alice.page.getByRole('img', { name: 'Preview of your new avatar' }).count()).toBe(
      0,
    );
    const avatar = alice.page.locator('.profile img.avatar');
    await eventually(() =>
      avatar.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth),
    ).toBe(64);
  });
});

describe('screens at desktop width', () => {
  it('log in and sign up have no serious accessibility violations', async () => {
    const visitor = await web.newPerson();
    await visitor.page.goto(web.webUrl);
    await visitor.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await expectAccessible(visitor.page, 'log in');
    await screenshot(visitor.page, 'login-desktop');
    await visitor.page.getByRole('link', { name: 'Create an account' }).click();
    await visitor.page.getByRole('heading', { name: 'Sign up' }).waitFor();
    await expectAccessible(visitor.page, 'sign up');
    await visitor.context.close();
  });

  it('inbox, new chat, new group, conversation and group settings have no serious accessibility violations', async () => {
    await alice.page.getByRole('link', { name: 'New chat' }).click();
    await expectAccessible(alice.page, 'new chat');
    await startChat(alice.page, names.bob);
    await send(alice.page, 'Hi Bob, how was the trip?');
    await alice.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'view.png', mimeType: 'image/png', buffer: await drawPicture(web.browser) });
    await bob.page.getByRole('link', { name: /^Alice Liddell/ }).click();
    await messageWithText(bob.page, 'Hi Bob').waitFor();
    await bob.page.getByRole('img', { name: 'Picture from Alice Liddell' }).waitFor();
    await send(bob.page, 'Great, thanks! Photos soon.');
    await messageWithText(alice.page, 'Photos soon').waitFor();
    await expectAccessible(alice.page, 'conversation');
    await expectAccessible(bob.page, 'conversation (with a picture)');

    await alice.page.getByRole('link', { name: 'New group' }).click();
    await expectAccessible(alice.page, 'new group');
    await alice.page.getByLabel('Group name').fill('Book club');
    await alice.page.getByLabel(/Members/).fill(names.bob);
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await send(alice.page, 'First book: Through the Looking-Glass');
    await alice.page.getByRole('link', { name: 'Group settings' }).click();
    await alice.page.getByRole('heading', { name: 'Group settings' }).waitFor();
    await expectAccessible(alice.page, 'group settings');

    await alice.page.getByRole('link', { name: /Bob/ }).click();
    await messageWithText(alice.page, 'Photos soon').waitFor();
    await expectAccessible(alice.page, 'inbox with a conversation open');
    await bob.page.getByRole('link', { name: /Book club/ }).waitFor();
    await bob.page.getByRole('link', { name: /^Alice Liddell/ }).click();
    await screenshot(bob.page, 'chat-desktop');
  });
});

describe('screens at phone width', () => {
  it('shows either the inbox or the conversation, with a way back, and no serious accessibility violations', async () => {
    const phone = await web.newPerson({ viewport: PHONE });
    await phone.page.goto(`${web.webUrl}/login`);
    await phone.page.getByLabel('Username').fill(names.bob);
    await phone.page.getByLabel('Password').fill(PASSWORD);
    await phone.page.getByRole('button', { name: 'Log in' }).click();
    await phone.page.getByRole('link', { name: /Book club/ }).waitFor();
    expect(await phone.page.getByRole('link', { name: /Book club/ }).isVisible()).toBe(true);
    await expectAccessible(phone.page, 'inbox (phone)');
    await screenshot(phone.page, 'inbox-phone');

    await phone.page.getByRole('link', { name: /^Alice Liddell/ }).click();
    await messageWithText(phone.page, 'Photos soon').waitFor();
    expect(await phone.page.getByRole('link', { name: /Book club/ }).isVisible()).toBe(false);
    await expectAccessible(phone.page, 'conversation (phone)');
    await screenshot(phone.page, 'conversation-phone');

    await phone.page.getByRole('link', { name: 'Back to chats' }).click();
    await phone.page.getByRole('link', { name: /Book club/ }).waitFor();
    expect(await phone.page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    const fits = await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(fits, 'no horizontal scrolling at phone width').toBe(true);
    await phone.context.close();
  });

  it('shows the conversation and the inbox side by side at desktop width', async () => {
    const desktop = await web.newPerson({ viewport: DESKTOP });
    await desktop.page.goto(`${web.webUrl}/login`);
    await desktop.page.getByLabel('Username').fill(names.bob);
    await desktop.page.getByLabel('Password').fill(PASSWORD);
    await desktop.page.getByRole('button', { name: 'Log in' }).click();
    await desktop.page.getByRole('link', { name: /^Alice Liddell/ }).click();
    await messageWithText(desktop.page, 'Photos soon').waitFor();
    expect(await desktop.page.getByRole('link', { name: /Book club/ }).isVisible()).toBe(true);
    await desktop.context.close();
  });
});

describe('with the keyboard alone', () => {
  it('logs in, opens a conversation, sends, edits and starts a new chat without a mouse', async () => {
    const person = await web.newPerson();
    const { page } = person;
    await page.goto(`${web.webUrl}/login`);
    await tabTo(page, 'Username');
    await page.keyboard.type(names.alice);
    await tabTo(page, 'Password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Chats' }).waitFor();

    await tabTo(page, /^Bob/);
    await page.keyboard.press('Enter');
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await tabTo(page, 'Message');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await messageWithText(bob.page, 'Typed without a mouse').waitFor();

    // Edit: the message's Edit button is reachable by Tab; Enter saves.
    await page.keyboard.press('Shift+Tab');
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      reached = await page.evaluate(
        () =>
          document.activeElement?.textContent === 'Edit' &&
          (document.activeElement.closest('li')?.textContent ?? '').includes('Typed without a mouse'),
      );
      if (!reached) await page.keyboard.press('Shift+Tab');
    }
    expect(reached, 'Shift+Tab reaches the Edit button of the message').toBe(true);
    await page.keyboard.press('Enter');
    await eventually(() => page.evaluate(() => document.activeElement?.id.startsWith('edit-'))).toBe(true);
    await page.keyboard.press('End');
    await page.keyboard.type(' (edited by keyboard)');
    await page.keyboard.press('Enter');
    await eventually(() => messageWithText(bob.page, 'edited by keyboard').innerText()).toContain('edited');

    await tabTo(page, 'New chat');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Username');
    await page.keyboard.type(names.bob);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Bob' }).waitFor();
    await person.context.close();
  });

  it('shows where the keyboard focus is', async () => {
    const person = await web.newPerson();
    await person.page.goto(`${web.webUrl}/login`);
    await tabTo(person.page, 'Username');
    const outline = await person.page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).not.toBe('none');
    await person.context.close();
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
