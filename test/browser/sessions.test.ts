/**
 * The Sessions panel on the profile screen: where you are signed in, ending another device's session (that
 * device is signed out), changing the password, and logging out everywhere.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, PASSWORD, type Person, signUp, uniqueName, useWebApp } from '../support/web-app';

const web = useWebApp();
const username = uniqueName('sessions');
let laptop: Person;
let phone: Person;

async function logIn(page: Page, password = PASSWORD) {
  await page.goto(`${web.webUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

const sessionsList = (page: Page) => page.getByRole('list', { name: 'Your sessions' });

beforeAll(async () => {
  [laptop, phone] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(laptop.page, web.webUrl, { username, displayName: 'Sam' });
  await logIn(phone.page);
  await phone.page.getByRole('heading', { name: 'Chats' }).waitFor();
  await laptop.page.getByRole('link', { name: /^Profile/ }).click();
});

describe('the Sessions panel', () => {
  it('lists both devices, marking this one', async () => {
    await eventually(() => sessionsList(laptop.page).getByRole('listitem').count()).toBe(2);
    await expect(sessionsList(laptop.page).getByText('(this device)').count()).resolves.toBe(1);
  });

  it("ends the other device's session, and that device is signed out", async () => {
    await sessionsList(laptop.page)
      .getByRole('button', { name: /^End session (?!.*this device)/ })
      .click();

    await eventually(() => sessionsList(laptop.page).getByRole('listitem').count()).toBe(1);
    await phone.page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 20_000 });
  });

  it('refuses a wrong current password, then changes the password', async () => {
    await laptop.page.getByLabel('Current password').fill('not my password');
    await laptop.page.getByLabel(/^New password/).fill('a brand new password');
    await laptop.page.getByRole('button', { name: 'Change password' }).click();
    await laptop.page.getByRole('alert').filter({ hasText: 'current password is wrong' }).waitFor();

    await laptop.page.getByLabel('Current password').fill(PASSWORD);
    await laptop.page.getByLabel(/^New password/).fill('a brand new password');
    await laptop.page.getByRole('button', { name: 'Change password' }).click();

    await laptop.page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
    await logIn(phone.page, 'a brand new password');
    await phone.page.getByRole('heading', { name: 'Chats' }).waitFor();
  });

  it('logs out everywhere: this device goes to the login screen, and so does the other', async () => {
    await laptop.page.reload();
    await laptop.page.getByRole('button', { name: 'Log out everywhere' }).click();

    await laptop.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await phone.page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 20_000 });
    expect([...laptop.errors, ...phone.errors]).toEqual([]);
  });
});
