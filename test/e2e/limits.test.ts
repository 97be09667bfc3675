/**
 * The limits of authenticated routes, through the same handlers and gateway `npm start` runs, with short
 * windows set by configuration (as a deployment overrides them): the default per-route limit, message sends,
 * new groups, and the upload quotas. Account limits (sign-ups, failed logins) are in limits-accounts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type ApiResponse, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { pngImage } from '../support/media-fixtures';
import { expectProblem } from '../support/problems';

const WINDOW = 4;
const api = useApi({
  env: {
    RATE_LIMITS: 'on',
    RATE_LIMIT_SIGN_UPS: '1000/3600',
    RATE_LIMIT_GET_ME: `3/${WINDOW}`,
    RATE_LIMIT_SEND_MESSAGE: `4/${WINDOW}`,
    RATE_LIMIT_NEW_GROUPS: `2/${WINDOW}`,
    RATE_LIMIT_PENDING_UPLOADS: '2',
    RATE_LIMIT_UPLOAD_BYTES: `1000/${WINDOW}`,
    UPLOAD_URL_TTL_SECONDS: '1',
  },
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for the start of a fresh window, so a burst of calls falls inside one window. */
const atWindowStart = () => pause((WINDOW - ((Date.now() / 1000) % WINDOW)) * 1000 + 50);
const afterWindow = () => pause(WINDOW * 1000 + 100);

function expectRefused(response: ApiResponse, limit: string) {
  expectProblem(response, 429);
  expect(response.body.type).toBe('urn:chat-backend:problem:too-many-requests');
  expect(response.body.detail).toContain(limit);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW);
  expect(response.headers.get('ratelimit-policy')).toContain(`"${limit}";q=`);
  expect(response.headers.get('ratelimit')).toMatch(new RegExp(`"${limit}";r=0;t=\\d+`));
}

describe('the default limit of an authenticated route', () => {
  it('refuses the call past the limit with 429, leaves other users alone, and resets after the window', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    await atWindowStart();
    const allowed: ApiResponse[] = [];
    for (let i = 0; i < 3; i++) allowed.push(await api.request('GET', '/users/me', { token: alice.token }));

    const refused = await api.request('GET', '/users/me', { token: alice.token });
    const otherUser = await api.request('GET', '/users/me', { token: bob.token });
    const otherRoute = await api.request('GET', '/conversations', { token: alice.token });

    expect(allowed.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(allowed.map((response) => response.headers.get('ratelimit'))).toEqual([
      expect.stringMatching(/^"get-me";r=2;t=\d$/),
      expect.stringMatching(/^"get-me";r=1;t=\d$/),
      expect.stringMatching(/^"get-me";r=0;t=\d$/),
    ]);
    expect(allowed[0]?.headers.get('ratelimit-policy')).toBe(`"get-me";q=3;w=${WINDOW}`);
    expectRefused(refused, 'get-me');
    expect(refused.body).not.toHaveProperty('id'); // the read's result is thrown away
    expect(otherUser.status).toBe(200);
    expect(otherRoute.status).toBe(200);
    expect(otherRoute.headers.get('ratelimit-policy')).toBe('"list-conversations";q=60;w=60');
    await afterWindow();
    expect((await api.request('GET', '/users/me', { token: alice.token })).status).toBe(200);
  }, 30_000);

  it('answers a call with bad input with its own 400 while within the limit', async () => {
    const alice = await signUpAndLogin(api);

    const response = await api.request('GET', '/conversations?limit=zero', { token: alice.token });

    expectProblem(response, 400, '(query) limit');
  });
});

describe('message sends', () => {
  it('refuses sends past the burst, counts the older send route in the same budget, and resets', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const direct = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'direct', userId: bob.id },
    });
    const send = (user: SignedInUser, text: string) =>
      api.request('POST', `/conversations/${direct.body.id}/messages`, {
        token: user.token,
        body: { content: { type: 'text', text } },
      });
    await atWindowStart();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(alice, `message ${i}`)).status);
    const legacy = await api.request('POST', '/messages', {
      token: alice.token,
      body: { recipient: bob.id, content: { type: 'text', text: 'from an older client' } },
    });

    const refused = await send(alice, 'one too many');
    const bobsSend = await send(bob, 'Bob has his own budget');

    expect(statuses).toEqual([201, 201, 201]);
    expect(legacy.status).toBe(201);
    expectRefused(refused, 'send-message');
    expect(bobsSend.status).toBe(201);
    const history = await api.request('GET', `/conversations/${direct.body.id}/messages`, {
      token: bob.token,
    });
    expect(history.body.items.map((message: { text?: string }) => message.text)).not.toContain(
      'one too many',
    );
    await afterWindow();
    expect((await send(alice, 'after the window')).status).toBe(201);
  }, 30_000);
});

describe('new groups', () => {
  it('limits the groups a user creates, not their direct conversations', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const group = (user: SignedInUser, name: string) =>
      api.request('POST', '/conversations', {
        token: user.token,
        body: { type: 'group', name, memberIds: [] },
      });
    await atWindowStart();
    expect((await group(alice, 'one')).status).toBe(201);
    expect((await group(alice, 'two')).status).toBe(201);

    const refused = await group(alice, 'three');
    const direct = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'direct', userId: bob.id },
    });
    const bobsGroup = await group(bob, 'Bob is not limited by Alice');

    expectRefused(refused, 'new-groups');
    expect(direct.status).toBe(201);
    expect(bobsGroup.status).toBe(201);
    const inbox = await api.request('GET', '/conversations', { token: alice.token });
    expect(inbox.body.items.map((item: { name?: string }) => item.name)).not.toContain('three');
    await afterWindow();
    expect((await group(alice, 'three')).status).toBe(201);
  }, 30_000);
});

describe('upload quotas', () => {
  const declare = (user: SignedInUser, size: number) =>
    api.request('POST', '/media', {
      token: user.token,
      body: { purpose: 'attachment', contentType: 'image/png', size },
    });

  async function postFile(declared: ApiResponse, bytes: Buffer) {
    const form = new FormData();
    for (const [name, value] of Object.entries<string>(declared.body.upload.fields)) form.append(name, value);
    form.append('file', new Blob([bytes], { type: 'image/png' }));
    return fetch(declared.body.upload.url, { method: 'POST', body: form });
  }

  async function settled(user: SignedInUser, mediaId: string) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const media = await api.request('GET', `/media/${mediaId}`, { token: user.token });
      if (media.body.status !== 'pending' || Date.now() > deadline) return media.body.status;
      await pause(50);
    }
  }

  it('refuses a third pending upload; one that arrives stops counting', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const image = pngImage();
    await atWindowStart();
    const first = await declare(alice, image.length);
    const second = await declare(alice, image.length);

    const third = await declare(alice, image.length);
    const bobs = await declare(bob, image.length);

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.headers.get('ratelimit-policy')).toContain('"pending-uploads";q=2;w=');
    expect(second.headers.get('ratelimit')).toMatch(/"pending-uploads";r=0;t=\d+/);
    expectProblem(third, 429);
    expect(third.body.detail).toContain('pending-uploads');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(bobs.status).toBe(201);
    expect((await postFile(first, image)).status).toBeLessThan(300);
    expect(await settled(alice, first.body.id)).toBe('ready');
    expect((await declare(alice, image.length)).status).toBe(201);
  }, 30_000);

  it('stops counting an upload whose URL expired unused', async () => {
    const alice = await signUpAndLogin(api);
    await atWindowStart();
    expect((await declare(alice, 10)).status).toBe(201);
    expect((await declare(alice, 10)).status).toBe(201);
    expect((await declare(alice, 10)).status).toBe(429);

    // URLs live 1 second here, plus as much grace for an upload under way.
    await pause(2100);

    expect((await declare(alice, 10)).status).toBe(201);
  }, 30_000);

  it('refuses declaring more bytes than the quota per window, and resets after it', async () => {
    const alice = await signUpAndLogin(api);
    await atWindowStart();
    expect((await declare(alice, 600)).status).toBe(201);

    const refused = await declare(alice, 401);

    expectProblem(refused, 429);
    expect(refused.body.detail).toContain('upload-bytes');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-policy')).toContain('"upload-bytes";q=1000;w=4;qu="content-bytes"');
    // What is left of the quota: 400 bytes, less than this upload declared.
    expect(refused.headers.get('ratelimit')).toMatch(/"upload-bytes";r=400;t=\d+/);
    expect((await declare(alice, 400)).status).toBe(201);
    await afterWindow();
    expect((await declare(alice, 1000)).status).toBe(201);
  }, 30_000);
});
