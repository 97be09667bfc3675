/** A group of three in the web app: created, renamed, members added and removed, roles changed, left. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  messages,
  messageWithText,
  type Person,
  screenshot,
  send,
  signUp,
  startChat,
  uniqueName,
  useWebApp,
} from '../support/web-app';

const web = useWebApp();
const names = { alice: uniqueName('alice'), bob: uniqueName('bob'), carol: uniqueName('carol') };
let alice: Person;
let bob: Person;
let carol: Person;

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([web.newPerson(), web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: names.alice, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: names.bob, displayName: 'Bob' });
  await signUp(carol.page, web.webUrl, { username: names.carol, displayName: 'Carol' });
  // Only people Alice shares a conversation with can be put in her group.
  await startChat(alice.page, names.bob);
  await startChat(alice.page, names.carol);
});

const openSettings = async (person: Person) => {
  await person.page.getByRole('link', { name: 'Group settings' }).click();
  await person.page.getByRole('heading', { name: 'Group settings' }).waitFor();
};

describe('a group of three', () => {
  it('is created with two others, who see it appear and receive its messages live', async () => {
    await alice.page.getByRole('link', { name: 'New group' }).click();
    await alice.page.getByLabel('Group name').fill('Weekend trip');
    await alice.page.getByLabel(/Members/).fill(`${names.bob}, @${names.carol}`);
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await send(alice.page, 'Who is in?');

    for (const person of [bob, carol]) {
      const group = person.page.getByRole('link', { name: /Weekend trip/ });
      await eventually(() => group.innerText()).toContain('Alice: Who is in?');
      await group.click();
      await messageWithText(person.page, 'Who is in?').waitFor();
    }
    // Read receipts in a group name who has read.
    const receipt = () => messageWithText(alice.page, 'Who is in?').innerText();
    await eventually(receipt).toMatch(/Read by .*Bob/);
    await eventually(receipt).toMatch(/Read by .*Carol/);

    await send(bob.page, 'Me!');
    await eventually(() => messages(carol.page).innerText()).toContain('Me!');
    // A group names the sender of each message.
    expect(await messageWithText(carol.page, 'Me!').innerText()).toContain('Bob');
    await eventually(() => messageWithText(alice.page, 'Me!').innerText()).toContain('Bob');
  });

  it('is renamed by its owner, and everyone sees the new name', async () => {
    await openSettings(alice);
    await alice.page.getByLabel('Group name').fill('Long weekend');
    await alice.page.getByRole('button', { name: 'Rename group' }).click();
    await alice.page.getByRole('link', { name: /Long weekend/ }).waitFor();
    await screenshot(alice.page, 'group-settings-desktop');
    for (const person of [bob, carol]) {
      await person.page.reload();
      await person.page.getByRole('link', { name: /Long weekend/ }).waitFor();
    }
  });

  it("shows the server's reason when a member may not rename the group", async () => {
    await openSettings(carol);
    await carol.page.getByLabel('Group name').fill('Carol was here');
    await carol.page.getByRole('button', { name: 'Rename group' }).click();
    await eventually(() => carol.page.getByRole('alert').filter({ hasText: /\S/ }).innerText()).toContain(
      'Only owners and admins can change the name.',
    );
  });

  it('lets the owner make a member an admin, who may then manage the group', async () => {
    await alice.page.getByLabel('Role of Bob').selectOption('admin');
    await bob.page.reload();
    await openSettings(bob);
    await eventually(() =>
      bob.page
        .getByRole('listitem')
        .filter({ hasText: `@${names.alice}` })
        .innerText(),
    ).toContain('owner');
    // An admin manages members: Bob sees the controls for Carol.
    await bob.page.getByRole('button', { name: 'Remove Carol' }).waitFor();
  });

  it('removes a member, who loses the conversation, and adds them back', async () => {
    await alice.page.getByRole('button', { name: 'Remove Carol' }).click();
    await eventually(() => carol.page.getByRole('link', { name: /Long weekend/ }).count()).toBe(0);
    await eventually(() => alice.page.getByRole('heading', { name: /Members/ }).innerText()).toBe(
      'Members (2)',
    );

    await alice.page.getByLabel(/Add members/).fill(names.carol);
    await alice.page.getByRole('button', { name: 'Add members' }).click();
    await eventually(() => alice.page.getByRole('heading', { name: /Members/ }).innerText()).toBe(
      'Members (3)',
    );
    await carol.page.getByRole('link', { name: /Long weekend/ }).waitFor();
  });

  it('says who can be added (people with a direct chat) and why a member cannot be (no such user)', async () => {
    const field = alice.page.getByLabel(/Add members/);
    const hint = await field.getAttribute('aria-describedby');
    expect(await alice.page.locator(`#${hint}`).innerText()).toContain('direct chat');
    await field.fill('nobody_by_this_name');
    await alice.page.getByRole('button', { name: 'Add members' }).click();
    await eventually(() => alice.page.getByRole('alert').filter({ hasText: /\S/ }).innerText()).toContain(
      'There is no user named "nobody_by_this_name"',
    );
  });

  it('lets a member leave; the others see them go', async () => {
    await carol.page.getByRole('link', { name: /Long weekend/ }).click();
    await openSettings(carol);
    await carol.page.getByRole('button', { name: 'Leave group' }).click();
    await carol.page.getByRole('heading', { name: 'Chats' }).waitFor();
    await eventually(() => carol.page.getByRole('link', { name: /Long weekend/ }).count()).toBe(0);
    await eventually(() => alice.page.getByRole('heading', { name: /Members/ }).innerText()).toBe(
      'Members (2)',
    );
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect([...alice.errors, ...bob.errors, ...carol.errors]).toEqual([]);
  });
});
