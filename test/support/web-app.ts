/**
 * Browser tests: the local stack per test file (as `npm start` runs it, on a table of the file's own), the
 * built web app served in front of it, and Debian's Chromium driven by playwright-core.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { type LocalApi, startApi } from '../../local/stack';
import { serveWebApp } from '../../local/web-app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the background-networking flags Chromium's own connections are refused here, many at a time. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export interface WebTestEnvironment {
  webUrl: string;
  api: LocalApi;
  browser: Browser;
  /** A fresh browser context (a person with their own storage) with one page, errors recorded. */
  newPerson(options?: { viewport?: { width: number; height: number } }): Promise<Person>;
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors (CSP violations among them) seen so far. */
  errors: string[];
}

/**
 * Starts the stack, the app and the browser for the current test file; stops them after it. Limits are off
 * unless `env` turns them on, as with `useApi` (e.g. `{ RATE_LIMITS: 'on', RATE_LIMIT_SEND_MESSAGE: '2/6' }`),
 * set before the functions load.
 */
export function useWebApp(options: { env?: Record<string, string> } = {}): WebTestEnvironment {
  let dataDir: string | undefined;
  let stop: (() => Promise<void>) | undefined;
  const contexts: BrowserContext[] = [];
  const environment = {
    webUrl: '',
    api: undefined as unknown as LocalApi,
    browser: undefined as unknown as Browser,
    async newPerson(options: { viewport?: { width: number; height: number } } = {}): Promise<Person> {
      const context = await environment.browser.newContext({ viewport: options.viewport ?? DESKTOP });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !isExpectedConsoleError(message.text()))
          errors.push(message.text());
      });
      return { context, page, errors };
    },
  } satisfies WebTestEnvironment;

  beforeAll(async () => {
    // A file's limit settings never leak into the next file run by the same worker.
    for (const name of Object.keys(process.env)) if (name.startsWith('RATE_LIMIT')) delete process.env[name];
    Object.assign(process.env, { RATE_LIMITS: 'off' }, options.env);
    dataDir = await mkdtemp(join(tmpdir(), 'chat-web-'));
    const served = await serveWebApp((allowedOrigins) =>
      startApi({ port: 0, dataDir: dataDir as string, allowedOrigins }),
    );
    environment.webUrl = served.webUrl;
    environment.api = served.api;
    environment.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    stop = served.stop;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await environment.browser?.close();
    await stop?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return environment;
}

/**
 * Console errors a correct app still causes: the browser logs every 4xx answer (tests provoke refusals on
 * purpose) and every connection a test cuts.
 */
function isExpectedConsoleError(text: string) {
  return (
    /Failed to load resource: the server responded with a status of 4\d\d/.test(text) ||
    /net::ERR_(INTERNET_DISCONNECTED|FAILED|CONNECTION_REFUSED|CONNECTION_RESET|NETWORK_CHANGED)/.test(
      text,
    ) ||
    /WebSocket connection to .* failed/.test(text)
  );
}

let counter = 0;
export const uniqueName = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}${++counter}${Math.floor(Math.random() * 1000)}`.slice(0, 32);

export const PASSWORD = 'a long enough password';

/** Signs up through the app's own form and waits for the inbox. */
export async function signUp(page: Page, webUrl: string, person: { username: string; displayName: string }) {
  await page.goto(`${webUrl}/signup`);
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Display name (optional)').fill(person.displayName);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Chats' }).waitFor();
}

/** Starts (or opens) the direct chat with `username` from the inbox. */
export async function startChat(page: Page, username: string) {
  await page.getByRole('link', { name: 'New chat' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

export async function send(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
}

/** The messages list of the open conversation. */
export const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });

/** The list item of the message with this text. */
export const messageWithText = (page: Page, text: string) =>
  messages(page).getByRole('listitem').filter({ hasText: text });

/**
 * Alice and Bob, each signed up in a browser of their own, in the direct chat Alice started with `firstMessage`,
 * both with it open.
 */
export async function aliceAndBobChatting(web: WebTestEnvironment, firstMessage: string) {
  const names = { alice: uniqueName('alice'), bob: uniqueName('bob') };
  const [alice, bob] = await Promise.all([web.newPerson(), web.newPerson()]);
  await signUp(alice.page, web.webUrl, { username: names.alice, displayName: 'Alice' });
  await signUp(bob.page, web.webUrl, { username: names.bob, displayName: 'Bob' });
  await startChat(alice.page, names.bob);
  await send(alice.page, firstMessage);
  await bob.page.getByRole('link', { name: /Alice/ }).click();
  await messageWithText(bob.page, firstMessage).waitFor();
  return { names, alice, bob };
}

/** Fails with the list of serious or critical axe violations on the page as it is now. */
export async function expectAccessible(page: Page, screen: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  expect(serious, `accessibility violations on the ${screen} screen`).toEqual([]);
}

/**
 * Saves a screenshot under .test-results/screenshots; with UPDATE_SCREENSHOTS=1 (`npm run screenshots`) also
 * under docs/screenshots, the ones the README shows. Never compared: a changed picture fails nothing.
 */
export async function screenshot(page: Page, name: string) {
  const targets = [join('.test-results', 'screenshots')];
  if (process.env.UPDATE_SCREENSHOTS === '1') targets.push(join('docs', 'screenshots'));
  for (const directory of targets) {
    await mkdir(directory, { recursive: true });
    await page.screenshot({ path: join(directory, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }
}

/** Polls until the value matches (the UI updates from events, never instantly). */
export const eventually = <T>(read: () => Promise<T> | T, timeout = 10_000) =>
  expect.poll(read, { timeout, interval: 100 });

/**
 * A real WebM video (one second of a moving square), recorded by Chromium itself with MediaRecorder, so
 * the tests need no binary fixture and the video really decodes and plays.
 */
export async function recordWebm(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    const bytes = await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      const stream = canvas.captureStream(25);
      const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (event) => chunks.push(event.data);
      const stopped = new Promise((resolve) => {
        recorder.onstop = resolve;
      });
      recorder.start();
      for (let frame = 0; frame < 25; frame++) {
        context.fillStyle = '#1d4ed8';
        context.fillRect(0, 0, 64, 48);
        context.fillStyle = '#f59e0b';
        context.fillRect(frame * 2, 16, 16, 16);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      recorder.stop();
      await stopped;
      return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
    });
    return Buffer.from(bytes);
  } finally {
    await page.close();
  }
}

/** A PNG picture (a small landscape at sunset) drawn by Chromium, for screenshots that look like a chat. */
export async function drawPicture(browser: Browser, width = 320, height = 200): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    const bytes = await page.evaluate(
      async ({ width, height }) => {
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        const sky = context.createLinearGradient(0, 0, 0, height);
        sky.addColorStop(0, '#1e3a8a');
        sky.addColorStop(0.6, '#f97316');
        sky.addColorStop(1, '#fde68a');
        context.fillStyle = sky;
        context.fillRect(0, 0, width, height);
        context.fillStyle = '#fef3c7';
        context.beginPath();
        context.arc(width * 0.65, height * 0.62, height * 0.14, 0, Math.PI * 2);
        context.fill();
        context.fillStyle = '#0f172a';
        context.beginPath();
        context.moveTo(0, height);
        context.lineTo(width * 0.3, height * 0.55);
        context.lineTo(width * 0.55, height * 0.8);
        context.lineTo(width * 0.8, height * 0.6);
        context.lineTo(width, height * 0.75);
        context.lineTo(width, height);
        context.fill();
        const blob = await new Promise<Blob>((resolve) =>
          canvas.toBlob((result) => resolve(result as Blob), 'image/png'),
        );
        return [...new Uint8Array(await blob.arrayBuffer())];
      },
      { width, height },
    );
    return Buffer.from(bytes);
  } finally {
    await page.close();
  }
}
