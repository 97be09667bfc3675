/**
 * Who is signed in, and the tokens. The access token lives in memory only (never in storage), refreshed a
 * minute before it expires and on any 401. The refresh token is kept in sessionStorage: it survives a reload
 * of this tab but not closing it, is never sent anywhere but POST /token/refresh, and is single use (each
 * refresh returns a new one). See web/README.md, "How the app keeps your session".
 */
import { batch, signal } from '@preact/signals';
import { type ChatClient, createChatClient, type Schemas } from '../../../client';
import { call, type Result } from './result';

const REFRESH_TOKEN_KEY = 'chat.refreshToken';
/** Refresh a minute (or a fifth of the lifetime, if shorter) before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;
/** After a refresh that failed for want of a network, try again this much later. */
const REFRESH_RETRY_MS = 10_000;

export type SessionStatus = 'starting' | 'signedOut' | 'signedIn' | 'unreachable';

export const sessionStatus = signal<SessionStatus>('starting');
export const me = signal<Schemas['OwnProfile'] | null>(null);

let client: ChatClient | undefined;
let accessToken: string | undefined;
let accessTokenExpiresAt = 0;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | undefined;

/** The typed API client; every store calls the API through it. */
export function api(): ChatClient {
  if (!client) throw new Error('initSession() has not run');
  return client;
}

export const currentAccessToken = () => accessToken;

const storedRefreshToken = () => sessionStorage.getItem(REFRESH_TOKEN_KEY);

/** Paths that authenticate by their body, where a 401 means "wrong credentials", not "token expired". */
const NO_RETRY_PATHS = /\/(login|token\/refresh|logout|users|user)$/;

/**
 * fetch with one retry after a token refresh when the API answers 401 (the access token expired, e.g. after
 * the laptop slept through the scheduled refresh).
 */
async function fetchWithRefresh(request: Request): Promise<Response> {
  // The body is read once and reused, so a retry sends the same bytes (and devtools can show them).
  const body =
    request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
  const attempt = () => fetch(new Request(request, body === undefined ? {} : { body }));
  const response = await attempt();
  if (response.status !== 401 || NO_RETRY_PATHS.test(new URL(request.url).pathname)) return response;
  if (!(await refreshTokens())) return response;
  request.headers.set('authorization', `Bearer ${accessToken}`);
  return attempt();
}

export function initSession(apiUrl: string) {
  client = createChatClient({ baseUrl: apiUrl, accessToken: () => accessToken, fetch: fetchWithRefresh });
}

function acceptTokens(pair: Schemas['TokenPair']) {
  const lifetime = pair.expiresIn * 1000;
  accessToken = pair.token;
  accessTokenExpiresAt = Date.now() + lifetime;
  sessionStorage.setItem(REFRESH_TOKEN_KEY, pair.refreshToken);
  scheduleRefresh(Math.max(1_000, lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 5)));
}

function scheduleRefresh(delay: number) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refreshTokens(), delay);
}

/** Forgets both tokens and signs out here (the session has ended on the server, or is about to). */
export function forget() {
  clearTimeout(refreshTimer);
  accessToken = undefined;
  accessTokenExpiresAt = 0;
  sessionStorage.removeItem(REFRESH_TOKEN_KEY);
  batch(() => {
    me.value = null;
    sessionStatus.value = 'signedOut';
  });
}

/**
 * Exchanges the refresh token for a new pair; true when it worked. Concurrent callers share one exchange
 * (a refresh token is single use). A 401 means the session is over (revoked or expired): signed out.
 */
export function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = storedRefreshToken();
    if (!refreshToken) return false;
    const result = await call(api().POST('/token/refresh', { body: { refreshToken } }));
    if (result.ok) {
      acceptTokens(result.value);
      return true;
    }
    if (result.problem.status === 400 || result.problem.status === 401) forget();
    else scheduleRefresh(REFRESH_RETRY_MS);
    return false;
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/**
 * Makes the next freshAccessToken() refresh first: after a refused WebSocket handshake, whose status a browser
 * does not reveal. If the session has ended (on another device, or by reuse detection), that refresh is
 * refused and the app signs out cleanly instead of retrying the socket with a token of an ended session.
 */
export function distrustAccessToken() {
  accessTokenExpiresAt = 0;
}

/**
 * An access token that is still valid, for the WebSocket handshake (which cannot be retried after a 401 the
 * way a request can); undefined when none can be had now.
 */
export async function freshAccessToken(): Promise<string | undefined> {
  if (!accessToken || Date.now() > accessTokenExpiresAt - 5_000) {
    if (!(await refreshTokens())) return undefined;
  }
  return accessToken;
}

/** On start: resume the session of this tab, if it has one. */
export async function restoreSession(): Promise<void> {
  if (!storedRefreshToken()) {
    sessionStatus.value = 'signedOut';
    return;
  }
  sessionStatus.value = 'starting';
  const refreshed = await refreshTokens();
  if (!refreshed) {
    // Still holding a token means the server could not be reached (a refused one is forgotten).
    sessionStatus.value = storedRefreshToken() ? 'unreachable' : 'signedOut';
    return;
  }
  const profile = await call(api().GET('/users/me'));
  if (!profile.ok) {
    sessionStatus.value = profile.problem.status === 0 ? 'unreachable' : 'signedOut';
    return;
  }
  batch(() => {
    me.value = profile.value;
    sessionStatus.value = 'signedIn';
  });
}

export async function logIn(username: string, password: string): Promise<Result<void>> {
  const result = await call(api().POST('/login', { body: { username, password } }));
  if (!result.ok) return result;
  acceptTokens(result.value);
  batch(() => {
    me.value = result.value.user;
    sessionStatus.value = 'signedIn';
  });
  return { ok: true, value: undefined };
}

export async function signUp(fields: Schemas['SignUpRequest']): Promise<Result<void>> {
  const created = await call(api().POST('/users', { body: fields }));
  if (!created.ok) return created;
  return logIn(fields.username, fields.password);
}

/** Revokes the refresh token on the server (best effort) and forgets both tokens. */
export async function logOut(): Promise<void> {
  const refreshToken = storedRefreshToken();
  if (refreshToken) await call(api().POST('/logout', { body: { refreshToken } }));
  forget();
}

export async function updateProfile(fields: Schemas['UpdateProfileRequest']): Promise<Result<void>> {
  const result = await call(api().PATCH('/users/me', { body: fields }));
  if (!result.ok) return result;
  me.value = result.value;
  return { ok: true, value: undefined };
}
