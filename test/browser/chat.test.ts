/** Two people chatting in the web app, each in their own browser context, against the local stack. */
import { beforeAll, describe, expect, it } from 'vitest';
import { htmlPretendingToBeVideo, pdfDocument, pngImage, wavAudio } from '../support/media-fixtures';
import {
  DESKTOP,
  eventually,
  expectAccessible,
  messages,
  messageWithText,
  PASSWORD,
  type Person,
  PHONE,
  recordWebm,
  screenshot,
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

describe('chatting in the web app', () => {
  it('starts a chat by username and shows the message on the other side live, with an unread badge', async () => {
    await startChat(alice.page, bobName);
    await send(alice.page, 'Hello Bob!');

    const chatInBobsInbox = bob.page.getByRole('link', { name: /Alice/ });
    await eventually(() => chatInBobsInbox.innerText()).toContain('Hello Bob!');
    await eventually(() => chatInBobsInbox.innerText()).toMatch(/1\s*unread/);
    await chatInBobsInbox.click();
    await messageWithText(bob.page, 'Hello Bob!').waitFor();
    await eventually(() => chatInBobsInbox.innerText()).not.toMatch(/unread/);
  });

  it('sends with Enter and starts a new line with Shift+Enter', async () => {
    const composer = bob.page.getByRole('textbox', { name: 'Message' });
    await composer.fill('first line');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('second line');
    await composer.press('Enter');
    await eventually(() => messages(alice.page).innerText()).toContain('first line\nsecond line');
    expect(await composer.inputValue()).toBe('');
  });

  it('shows that the other person is typing while they type', async () => {
    await bob.page.getByRole('textbox', { name: 'Message' }).pressSequentially('I am wri', { delay: 30 });
    await alice.page.getByRole('status').filter({ hasText: 'Bob is typing…' }).waitFor();
    await bob.page.getByRole('textbox', { name: 'Message' }).fill('');
  });

  it('shows a read receipt under a message once the other person has seen it', async () => {
    await send(alice.page, 'Did you see this?');
    await messageWithText(bob.page, 'Did you see this?').waitFor();
    await eventually(() => messageWithText(alice.page, 'Did you see this?').innerText()).toContain('Seen');
  });

  it('edits and deletes own messages; the other person sees "edited" and the deletion', async () => {
    await send(alice.page, 'Helo typo');
    const mine = messageWithText(alice.page, 'Helo typo');
    await mine.getByRole('button', { name: 'Edit' }).click();
    const editor = alice.page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('Hello, fixed');
    await editor.press('Enter');
    await eventually(() => messageWithText(bob.page, 'Hello, fixed').innerText()).toContain('edited');

    await messageWithText(alice.page, 'Hello, fixed').getByRole('button', { name: 'Delete' }).click();
    await messageWithText(alice.page, 'Hello, fixed').getByRole('button', { name: 'Yes, delete' }).click();
    await eventually(() => messages(bob.page).innerText()).not.toContain('Hello, fixed');
    await eventually(() => messages(bob.page).innerText()).toContain('This message was deleted.');
  });

  it('sends a picture that both people see inline', async () => {
    await alice.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: pngImage(96, [240, 120, 30]) });

    for (const [page, sender] of [
      [alice.page, 'You'],
      [bob.page, 'Alice'],
    ] as const) {
      const picture = messages(page).getByRole('img', { name: `Picture from ${sender}` });
      await picture.waitFor();
      await eventually(() =>
        picture.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth),
      ).toBe(96);
    }
  });

  it('sends a video that plays on the other side', async () => {
    const video = await recordWebm(web.browser);
    await bob.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: video });

    const player = messages(alice.page).getByLabel('Video from Bob');
    await player.waitFor();
    const played = await player.evaluate(async (element: HTMLVideoElement) => {
      element.muted = true;
      await element.play();
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { time: element.currentTime, error: element.error?.message ?? null };
    });
    expect(played.error).toBeNull();
    expect(played.time).toBeGreaterThan(0);
  });

  it('sends a document as a download and a voice note that plays', async () => {
    await alice.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'minutes.pdf', mimeType: 'application/pdf', buffer: pdfDocument() });
    const download = messages(bob.page).getByRole('link', { name: 'Download minutes.pdf' });
    await download.waitFor();
    expect(await download.getAttribute('href')).toContain(web.api.cdnUrl);

    await alice.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'hello.wav', mimeType: 'audio/wav', buffer: wavAudio(600) });
    const player = messages(bob.page).getByLabel('Voice note from Alice');
    await player.waitFor();
    const played = await player.evaluate(async (element: HTMLAudioElement) => {
      element.muted = true;
      await element.play();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { time: element.currentTime, error: element.error?.message ?? null };
    });
    expect(played.error).toBeNull();
    expect(played.time).toBeGreaterThan(0);

    // As the sender sees them (own bubbles: the download link readable on their colour) at desktop width, and
    // as the receiver sees them on a phone (the player inside its bubble).
    await messages(alice.page).getByLabel('Voice note from You').waitFor();
    await expectAccessible(alice.page, 'conversation (own file and voice note)');
    const [linkColour, bubbleColour] = await messages(alice.page)
      .getByRole('link', { name: 'Download minutes.pdf' })
      .evaluate((link) => [
        getComputedStyle(link).color,
        getComputedStyle(link.closest('.bubble') ?? link).backgroundColor,
      ]);
    expect(linkColour, 'the download link is not the colour of its bubble').not.toBe(bubbleColour);
    // The players and pictures got their size after their messages were shown: the newest is still fully in view.
    await eventually(() =>
      messages(alice.page).evaluate((log) => log.scrollHeight - log.scrollTop - log.clientHeight),
    ).toBeLessThanOrEqual(1);
    await screenshot(alice.page, 'files-desktop');
    await bob.page.setViewportSize(PHONE);
    const overflow = await player.evaluate(
      (element) =>
        element.getBoundingClientRect().right -
        (element.closest('.bubble')?.getBoundingClientRect().right ?? Number.NaN),
    );
    expect(overflow, 'the voice note player stays inside its bubble').toBeLessThanOrEqual(0);
    await screenshot(bob.page, 'files-phone');
    await bob.page.setViewportSize(DESKTOP);
  });

  it('accepts a picture dropped onto the conversation', async () => {
    const bytes = [...pngImage(48, [20, 160, 120])];
    const dataTransfer = await alice.page.evaluateHandle((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(content)], 'dropped.png', { type: 'image/png' }));
      return transfer;
    }, bytes);
    const conversation = alice.page.getByRole('region', { name: /Bob/ });
    await conversation.dispatchEvent('dragover', { dataTransfer });
    await conversation.dispatchEvent('drop', { dataTransfer });
    await eventually(() => messages(bob.page).getByRole('img', { name: 'Picture from Alice' }).count()).toBe(
      2,
    );
  });

  it('says why a file is refused: its type, its size, or its content', async () => {
    await alice.page.getByLabel('Attach a file').setInputFiles({
      name: 'setup.exe',
      mimeType: 'application/x-msdownload',
      buffer: Buffer.from('MZ'),
    });
    await eventually(() =>
      alice.page.getByRole('alert').filter({ hasText: 'setup.exe' }).innerText(),
    ).toMatch(/setup\.exe: .*contentType.*image\/jpeg/);

    await alice.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'fake.mp4', mimeType: 'video/mp4', buffer: htmlPretendingToBeVideo() });
    await eventually(() =>
      alice.page.getByRole('alert').filter({ hasText: 'fake.mp4' }).innerText(),
    ).toContain('The file was refused');

    await alice.page.getByRole('link', { name: /^Profile/ }).click();
    await alice.page
      .getByLabel(/Choose a picture/)
      .setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(6 * 1024 * 1024, 1) });
    await alice.page.getByRole('button', { name: 'Upload picture' }).click();
    await eventually(() => alice.page.getByRole('alert').filter({ hasText: /\S/ }).innerText()).toMatch(
      /size|large|MB|bytes/i,
    );
  });

  it("shows the server's reason when it refuses an action (username taken)", async () => {
    const someone = await web.newPerson();
    await someone.page.goto(`${web.webUrl}/signup`);
    await someone.page.getByLabel('Username').fill(bobName.toUpperCase());
    await someone.page.getByLabel('Password').fill(PASSWORD);
    await someone.page.getByRole('button', { name: 'Sign up' }).click();
    await eventually(() => someone.page.getByRole('alert').filter({ hasText: /\S/ }).innerText()).toMatch(
      /taken|exists|already/i,
    );
    await someone.context.close();
  });

  it('loads older messages as the person scrolls up', async () => {
    const login = await fetch(`${web.api.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: bobName, password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const conversationId = new URL(bob.page.url()).pathname.split('/')[2];
    for (let i = 1; i <= 60; i++) {
      await fetch(`${web.api.url}/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: { type: 'text', text: `Old news ${i}` } }),
      });
    }
    await bob.page.reload();
    await messageWithText(bob.page, 'Old news 60').waitFor();
    expect(await messageWithText(bob.page, 'Hello Bob!').count()).toBe(0);
    await bob.page.getByRole('button', { name: 'Load older messages' }).waitFor();

    await messages(bob.page).evaluate((element) => element.scrollTo({ top: 0 }));
    await messageWithText(bob.page, 'Hello Bob!').waitFor();
    expect(await bob.page.getByRole('button', { name: 'Load older messages' }).count()).toBe(0);
  });

  it('keeps the person signed in across a reload, and logs them out', async () => {
    await alice.page.reload();
    await alice.page.getByRole('heading', { name: 'Chats' }).waitFor();
    await alice.page.getByRole('button', { name: 'Log out', exact: true }).click();
    await alice.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await alice.page.reload();
    await alice.page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await alice.page.evaluate(() => sessionStorage.getItem('chat.refreshToken'))).toBeNull();

    await alice.page.getByLabel('Username').fill(aliceName);
    await alice.page.getByLabel('Password').fill(PASSWORD);
    await alice.page.getByRole('button', { name: 'Log in' }).click();
    await alice.page.getByRole('link', { name: /Bob/ }).waitFor();
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
