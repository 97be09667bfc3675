/**
 * The structured request log, with the logger at INFO (the test config silences it). Handler modules create
 * the logger at load, so they are imported only after the level is set.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { uniqueUsername } from '../support/api';
import { httpEvent, lambdaContext } from '../support/events';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: typeof lambdaContext,
) => Promise<{ statusCode: number; body?: string }>;

let handlers: { signUp: Handler; login: Handler; getMe: Handler };
const configuredLevel = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  vi.resetModules();
  const [signUp, login, getMe] = await Promise.all([
    import('../../functions/http/sign-up'),
    import('../../functions/http/login'),
    import('../../functions/http/get-me'),
  ]);
  handlers = { signUp: signUp.handler, login: login.handler, getMe: getMe.handler };
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = configuredLevel;
});

function withRequestId(event: APIGatewayProxyEventV2, requestId: string): APIGatewayProxyEventV2 {
  return { ...event, requestContext: { ...event.requestContext, requestId } };
}

/** Runs `act` while capturing everything written to stdout, where the logger writes. */
async function captureStdout<T>(act: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    return { result: await act(), output: chunks.join('') };
  } finally {
    write.mockRestore();
  }
}

/** Runs an arrange step without letting its log lines reach the test output. */
async function quietly<T>(act: () => Promise<T>): Promise<T> {
  return (await captureStdout(act)).result;
}

/** The request log lines in `output`: every line must be JSON; those with message "request" are returned. */
function requestLines(output: string): Record<string, unknown>[] {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return parsed.filter((line) => line.message === 'request');
}

describe('request log', () => {
  it('logs a sign-up as one JSON line with request id, route, status and latency, without the password', async () => {
    const password = 'sign-up password not for logs';
    const event = withRequestId(
      httpEvent({ routeKey: 'POST /users', body: { username: uniqueUsername('logged'), password } }),
      'req-sign-up',
    );

    const { result, output } = await captureStdout(() => handlers.signUp(event, lambdaContext));

    expect(result.statusCode).toBe(201);
    const lines = requestLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      requestId: 'req-sign-up',
      route: 'POST /users',
      status: 201,
      latencyMs: expect.any(Number),
    });
    expect(output).not.toContain(password);
  });

  it('logs a login without the password, the access token or the refresh token', async () => {
    const username = uniqueUsername('login');
    const password = 'login password not for logs';
    await quietly(() =>
      handlers.signUp(httpEvent({ routeKey: 'POST /users', body: { username, password } }), lambdaContext),
    );
    const event = withRequestId(
      httpEvent({ routeKey: 'POST /login', body: { username, password } }),
      'req-login',
    );

    const { result, output } = await captureStdout(() => handlers.login(event, lambdaContext));

    expect(result.statusCode).toBe(200);
    const { token, refreshToken } = JSON.parse(result.body ?? '{}') as {
      token: string;
      refreshToken: string;
    };
    const lines = requestLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: 'req-login', route: 'POST /login', status: 200 });
    expect(output).not.toContain(password);
    expect(output).not.toContain(token);
    expect(output).not.toContain(refreshToken);
  });

  it('logs an authenticated request with the caller id and without the token', async () => {
    const username = uniqueUsername('caller');
    const password = 'caller password not for logs';
    const created = await quietly(() =>
      handlers.signUp(httpEvent({ routeKey: 'POST /users', body: { username, password } }), lambdaContext),
    );
    const userId = (JSON.parse(created.body ?? '{}') as { id: string }).id;
    const login = await quietly(() =>
      handlers.login(httpEvent({ routeKey: 'POST /login', body: { username, password } }), lambdaContext),
    );
    const { token } = JSON.parse(login.body ?? '{}') as { token: string };
    const event = withRequestId(
      httpEvent({ routeKey: 'GET /users/me', headers: { authorization: `Bearer ${token}` } }),
      'req-me',
    );

    const { result, output } = await captureStdout(() => handlers.getMe(event, lambdaContext));

    expect(result.statusCode).toBe(200);
    const lines = requestLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      requestId: 'req-me',
      route: 'GET /users/me',
      status: 200,
      latencyMs: expect.any(Number),
      callerId: userId,
    });
    expect(output).not.toContain(token);
  });

  it('logs a rejected request with its error status and no caller', async () => {
    const badToken = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzb21lb25lIn0.bm90IGEgc2lnbmF0dXJl';
    const event = withRequestId(
      httpEvent({ routeKey: 'GET /users/me', headers: { authorization: `Bearer ${badToken}` } }),
      'req-denied',
    );

    const { result, output } = await captureStdout(() => handlers.getMe(event, lambdaContext));

    expect(result.statusCode).toBe(401);
    const lines = requestLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: 'req-denied', route: 'GET /users/me', status: 401 });
    expect(lines[0]).not.toHaveProperty('callerId');
    expect(output).not.toContain(badToken);
  });

  it('logs a validation failure with status 400 and without the rejected password', async () => {
    const password = 'short';
    const event = withRequestId(
      httpEvent({ routeKey: 'POST /users', body: { username: uniqueUsername('invalid'), password } }),
      'req-invalid',
    );

    const { result, output } = await captureStdout(() => handlers.signUp(event, lambdaContext));

    expect(result.statusCode).toBe(400);
    const lines = requestLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: 'req-invalid', route: 'POST /users', status: 400 });
    expect(output).not.toContain(`"${password}"`);
  });
});
