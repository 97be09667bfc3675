/** Drives the local HTTP gateway (the one `npm start` runs) from e2e tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startApi } from '../../local/stack';
import { undocumentedAnswer } from './openapi-contract';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>` unless `bareToken` is set. */
  token?: string;
  bareToken?: boolean;
  headers?: Record<string, string>;
  /** Sent as-is, without JSON encoding (for malformed bodies). */
  rawBody?: string;
}

export interface TestApi {
  url: string;
  /** The local WebSocket API (`ws://localhost:<port>`). */
  wsUrl: string;
  cdnUrl: string;
  s3Endpoint: string;
  /** The stack's data dir (S3 objects, keys, the local dead-letter store). */
  dataDir: string;
  /** Waits until the stream consumers (inbox fan-out) have processed every write so far. */
  drainStreams(): Promise<void>;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
}

/**
 * Starts the gateway for the current test file and stops it after. Limits are off (RATE_LIMITS=off) unless
 * the file passes `env` (e.g. `{ RATE_LIMITS: 'on', RATE_LIMIT_SIGN_UPS: '3/2' }`): set before the functions
 * load, as a deployment's configuration is.
 */
export function useApi(options: { allowedOrigins?: string[]; env?: Record<string, string> } = {}): TestApi {
  let stop: (() => Promise<void>) | undefined;
  let drain: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  const api: TestApi = {
    url: '',
    wsUrl: '',
    cdnUrl: '',
    s3Endpoint: '',
    dataDir: '',
    drainStreams: () => drain?.() ?? Promise.resolve(),
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined)
        headers.authorization = options.bareToken ? options.token : `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${api.url}${path}`, { method, headers, body });
      const text = await response.text();
      const pathname = new URL(`${api.url}${path}`).pathname;
      const undocumented = undocumentedAnswer(
        method,
        pathname,
        response.status,
        response.headers.get('content-type'),
      );
      if (undocumented) throw new Error(undocumented);
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed as any, text };
    },
  };
  beforeAll(async () => {
    // A file's limit settings never leak into the next file run by the same worker.
    for (const name of Object.keys(process.env)) if (name.startsWith('RATE_LIMIT')) delete process.env[name];
    Object.assign(process.env, { RATE_LIMITS: 'off' }, options.env);
    dataDir = await mkdtemp(join(tmpdir(), 'chat-api-'));
    api.dataDir = dataDir;
    const started = await startApi({ port: 0, dataDir, allowedOrigins: options.allowedOrigins });
    api.url = started.url;
    api.wsUrl = started.wsUrl;
    api.cdnUrl = started.cdnUrl;
    api.s3Endpoint = started.s3Endpoint;
    stop = started.stop;
    drain = started.drainStreams;
  });
  afterAll(async () => {
    await stop?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return api;
}

let counter = 0;
/** A username unique within the run, so tests never depend on each other's accounts. */
export function uniqueUsername(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e4)}`.slice(0, 32);
}

export interface SignedInUser {
  id: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

export async function signUpAndLogin(
  api: TestApi,
  overrides: { username?: string; displayName?: string } = {},
) {
  const username = overrides.username ?? uniqueUsername();
  const password = 'a long enough password';
  const created = await api.request('POST', '/users', {
    body: { username, password, ...(overrides.displayName ? { displayName: overrides.displayName } : {}) },
  });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${created.text}`);
  const login = await api.request('POST', '/login', { body: { username, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return {
    id: created.body.id,
    username,
    password,
    token: login.body.token,
    refreshToken: login.body.refreshToken,
  } satisfies SignedInUser;
}

/** Starts (or finds) the direct conversation of two users and returns its id. */
export async function directConversation(
  api: TestApi,
  caller: SignedInUser,
  other: SignedInUser,
): Promise<string> {
  const response = await api.request('POST', '/conversations', {
    token: caller.token,
    body: { type: 'direct', userId: other.id },
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`direct conversation failed: ${response.status} ${response.text}`);
  }
  return response.body.id;
}

/**
 * Makes `user` a contact of each of `others`, as a user does: by starting a direct conversation with them.
 * Only contacts (people who share a conversation) may add someone to a group (issue 8); call this before
 * creating a group with, or adding, users who have not met yet. Waits until the stream consumers have
 * processed the new conversations, so their events never reach a socket opened afterwards.
 */
export async function makeContacts(
  api: TestApi,
  user: SignedInUser,
  ...others: SignedInUser[]
): Promise<void> {
  await Promise.all(others.map((other) => directConversation(api, user, other)));
  await api.drainStreams();
}

/**
 * A request sent from another loopback address (127.0.0.2, ...), so the gateway sees another client IP
 * (`requestContext.http.sourceIp`), as API Gateway would for another client.
 */
export function requestFrom<T = any>(
  api: TestApi,
  localAddress: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const { hostname, port } = new URL(api.url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ hostname, port, path, method, headers, localAddress }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body: body as T, text });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
