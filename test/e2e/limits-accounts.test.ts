/**
 * The limits of the public account routes, through the same handlers and gateway `npm start` runs, with short
 * windows set by configuration: sign-ups per client IP, failed logins per account and per client IP. Each
 * test sends from its own loopback address (127.0.0.x), which the gateway reports as the client IP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMetricsSink } from '../../functions/shared/metrics';
import type { MetricPoint } from '../../functions/shared/metrics/emf';
import { requestFrom, uniqueUsername, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const WINDOW = 6;
const api = useApi({
  env: {
    RATE_LIMITS: 'on',
    RATE_LIMIT_SIGN_UPS: `3/${WINDOW}`,
    RATE_LIMIT_FAILED_LOGINS: `5/${WINDOW}`,
    RATE_LIMIT_FAILED_LOGINS_BY_IP: `8/${WINDOW}`,
  },
});

let points: MetricPoint[] = [];
let restore: (() => void) | undefined;
beforeAll(() => {
  restore = useMetricsSink({ add: (point) => points.push(point) });
});
afterAll(() => restore?.());

const counted = (name: string) =>
  points.filter((point) => point.name === name).reduce((sum, point) => sum + point.value, 0);

/** Waits for the start of a fresh window, so a burst of calls falls inside one window. */
async function atWindowStart() {
  const intoWindow = (Date.now() / 1000) % WINDOW;
  await new Promise((resolve) => setTimeout(resolve, (WINDOW - intoWindow) * 1000 + 50));
}

const afterWindow = () => new Promise((resolve) => setTimeout(resolve, WINDOW * 1000 + 100));

let nextAddress = 10;
/** A loopback address no other test uses: a client IP of its own. */
const newClient = () => `127.0.0.${nextAddress++}`;

async function signUp(from: string, username = uniqueUsername()) {
  return requestFrom(api, from, 'POST', '/users', { body: { username, password: 'a long enough password' } });
}

const login = (from: string, username: string, password: string, headers: Record<string, string> = {}) =>
  requestFrom(api, from, 'POST', '/login', { body: { username, password }, headers });

function expectRefusedWithHeaders(response: Awaited<ReturnType<typeof login>>, limit: string) {
  expectProblem(response, 429);
  expect(response.body.type).toBe('urn:chat-backend:problem:too-many-requests');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW);
  expect(response.headers.get('ratelimit-policy')).toContain(`"${limit}";q=`);
  expect(response.headers.get('ratelimit')).toMatch(new RegExp(`"${limit}";r=0;t=\\d+`));
}

describe('sign-ups per client IP', () => {
  it('refuses the sign-up past the limit with 429 and the rate-limit fields, other IPs unaffected, until the window ends', async () => {
    const client = newClient();
    await atWindowStart();
    for (let i = 0; i < 3; i++) expect((await signUp(client)).status).toBe(201);
    const refusedName = uniqueUsername();

    const refused = await signUp(client, refusedName);
    const elsewhere = await signUp(newClient());

    expectRefusedWithHeaders(refused, 'sign-ups');
    expect(elsewhere.status).toBe(201);
    // Nothing was created by the refused call.
    expect((await login(newClient(), refusedName, 'a long enough password')).status).toBe(401);
    await afterWindow();
    expect((await signUp(client, refusedName)).status).toBe(201);
  }, 30_000);

  it('keys on the connection, not on an X-Forwarded-For header a client can forge', async () => {
    const client = newClient();
    await atWindowStart();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const forged = { 'x-forwarded-for': `203.0.113.${i}` };
      statuses.push(
        (
          await requestFrom(api, client, 'POST', '/users', {
            body: { username: uniqueUsername(), password: 'a long enough password' },
            headers: forged,
          })
        ).status,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  }, 30_000);

  it('announces the limit on successful calls too', async () => {
    const response = await signUp(newClient());

    expect(response.status).toBe(201);
    expect(response.headers.get('ratelimit-policy')).toBe(`"sign-ups";q=3;w=${WINDOW}`);
    expect(response.headers.get('ratelimit')).toMatch(/^"sign-ups";r=2;t=\d+$/);
  });
});

describe('failed logins', () => {
  it('locks the account after 5 failures: a correct password is refused too until the window ends', async () => {
    const username = uniqueUsername();
    expect((await signUp(newClient(), username)).status).toBe(201);
    const client = newClient();
    await atWindowStart();
    for (let i = 0; i < 5; i++) expect((await login(client, username, 'wrong password!')).status).toBe(401);

    const locked = await login(client, username, 'a long enough password');
    const lockedElsewhere = await login(newClient(), username.toUpperCase(), 'a long enough password');

    expectRefusedWithHeaders(locked, 'failed-logins');
    expectRefusedWithHeaders(lockedElsewhere, 'failed-logins');
    await afterWindow();
    expect((await login(client, username, 'a long enough password')).status).toBe(200);
  }, 30_000);

  it('does not count successful logins as failures', async () => {
    const username = uniqueUsername();
    expect((await signUp(newClient(), username)).status).toBe(201);
    const client = newClient();
    await atWindowStart();

    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await login(client, username, 'a long enough password')).status);

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200]);
  }, 30_000);

  it('checks at most 5 passwords for 50 parallel wrong-password logins to one account, without a 5xx', async () => {
    const username = uniqueUsername();
    expect((await signUp(newClient(), username)).status).toBe(201);
    const clients = Array.from({ length: 10 }, newClient);
    await atWindowStart();
    points = [];

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login(clients[i % clients.length] ?? '', username, `wrong ${i}`)),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(45);
    // Every password check of a wrong password is a counted failed login.
    expect(counted('LoginsFailed')).toBeLessThanOrEqual(5);
    expect(counted('CallsRefusedByLimits')).toBe(statuses.filter((status) => status === 429).length);
  }, 30_000);

  it('refuses a client IP after its failures across many accounts, other IPs unaffected', async () => {
    const client = newClient();
    await atWindowStart();
    for (let i = 0; i < 8; i++) {
      expect((await login(client, uniqueUsername(), 'guessing a password')).status).toBe(401);
    }

    const refused = await login(client, uniqueUsername(), 'guessing a password');
    const other = await login(newClient(), uniqueUsername(), 'guessing a password');

    expectRefusedWithHeaders(refused, 'failed-logins-by-ip');
    expect(other.status).toBe(401);
  }, 30_000);
});
