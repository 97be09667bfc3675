/**
 * Sessions: login, token refresh (with reuse detection), logout, listing and ending sessions, and changing
 * the password (which ends every other session).
 *
 * A session is one login. Its refresh tokens rotate on each use; presenting one that was already rotated
 * means two parties hold the session (RFC 9700, section 4.14.2), so the whole session ends and its legitimate
 * holder logs in again. Access tokens carry the session id (`sid`); they are not checked against the session
 * on each request, so one stays usable until it expires (at most ACCESS_TOKEN_TTL_SECONDS) after its session
 * ended (docs/architecture.md, "Security").
 */
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, needsRehash, scryptParams, verifyPassword } from '../auth/passwords';
import { issueAccessToken } from '../auth/token-issuer';
import { config } from '../config';
import * as sessionsStore from '../data/sessions-store';
import * as usersStore from '../data/users-store';
import {
  AccountDisabledError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from '../errors';
import { logger } from '../logger';
import { metrics } from '../metrics';
import type { TokenPair } from '../schemas/auth';
import { ulid } from './ids';
import type { PasswordCheckGuard } from './login-attempts';
import { type PresentedUser, presentUser } from './users';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** A user agent is the client's to say: kept short, for the sessions list only. */
const MAX_USER_AGENT = 256;

/** No id of ours is longer (idSchema's bound); a longer one could make a key DynamoDB rejects (a 500). */
const MAX_ID_LENGTH = 64;

/**
 * Refresh tokens are `<userId>.<sessionId>.<256 random bits>`: the ids let a refresh rotate the token in one
 * conditional transaction (no read first); only the SHA-256 of the whole token is stored.
 */
function parseRefreshToken(token: string) {
  const [userId, sessionId, secret, ...rest] = token.split('.');
  if (!userId || !sessionId || !secret || rest.length > 0) return undefined;
  if (userId.length > MAX_ID_LENGTH || sessionId.length > MAX_ID_LENGTH) return undefined;
  return { userId, sessionId, hash: hashToken(token) };
}

function newRefreshToken(userId: string, sessionId: string, now: Date) {
  const token = `${userId}.${sessionId}.${randomBytes(32).toString('base64url')}`;
  const record: sessionsStore.RefreshTokenRecord = {
    tokenHash: hashToken(token),
    userId,
    sessionId,
    createdAt: now.toISOString(),
    expiresAt: epochSeconds(now) + config.refreshTokenTtlSeconds,
  };
  return { token, record };
}

async function tokenPair(userId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
  const access = await issueAccessToken(userId, { sid: sessionId });
  return { token: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken };
}

const wrongCredentials = () => new UnauthorizedError('The username or password is wrong.');
const accountDisabled = () =>
  new AccountDisabledError('This account has been disabled by an administrator; it cannot log in.');

export interface LoginContext {
  /** A hash of a random password, made once per execution environment (functions/http/login.ts). */
  decoyHash: string;
  userAgent: string | undefined;
  /** The failed-login limits (domain/login-attempts.ts); none: the password is checked at once. */
  guard?: PasswordCheckGuard;
  now?: Date;
}

/**
 * Two sequential round trips: the username claim (user id and password hash), beside the guard's counting of
 * the attempt; then, in parallel, the profile read, the session write, the guard's giving the attempt back
 * (and, once, the upgrade of a hash made with older parameters).
 */
export async function login(
  username: string,
  password: string,
  { decoyHash, userAgent, guard, now = new Date() }: LoginContext,
): Promise<TokenPair & { user: PresentedUser }> {
  // The claim read is harmless before the attempt is counted; the password check is what must wait.
  const [claim] = await Promise.all([usersStore.getUsernameClaim(username), guard?.ready]);
  // Unknown users are checked against the decoy hash so both failures take the same time and give the same 401.
  const passwordMatches = await verifyPassword(password, claim?.passwordHash ?? decoyHash);
  if (!claim || !passwordMatches) {
    metrics.count('LoginsFailed');
    throw wrongCredentials();
  }
  // Only after the password is proven: a disabled account is not revealed to someone guessing names.
  if (claim.disabledAt) throw accountDisabled();
  const sessionId = ulid(now.getTime());
  const refresh = newRefreshToken(claim.userId, sessionId, now);
  const session: sessionsStore.SessionRecord = {
    id: sessionId,
    userId: claim.userId,
    createdAt: now.toISOString(),
    lastUsedAt: now.toISOString(),
    userAgent: userAgent?.slice(0, MAX_USER_AGENT) || null,
    expiresAt: epochSeconds(now) + config.sessionMaxAgeSeconds,
    idleExpiresAt: refresh.record.expiresAt,
  };
  const [user] = await Promise.all([
    usersStore.getUser(claim.userId),
    sessionsStore.createSession(session, refresh.record),
    guard?.passed(),
    upgradeHashIfOld(username, claim, password),
  ]);
  // A claim and its profile are created in one transaction, so this is a user that no longer exists.
  if (!user) throw wrongCredentials();
  return { ...(await tokenPair(user.id, sessionId, refresh.token)), user: presentUser(user) };
}

/** Rehashes with the current parameters a password just proven, when its hash is older; best effort. */
async function upgradeHashIfOld(
  username: string,
  claim: { userId: string; passwordHash: string },
  password: string,
): Promise<void> {
  const target = scryptParams(config.passwordHashLogN);
  if (!needsRehash(claim.passwordHash, target)) return;
  try {
    const upgraded = await hashPassword(password, target);
    await usersStore.replacePasswordHash(username, claim.userId, claim.passwordHash, upgraded);
  } catch (error) {
    // The login itself succeeded; the next one tries again.
    logger.warn('password hash upgrade failed', { errorName: (error as Error).name });
  }
}

export async function refresh(refreshToken: string, now = new Date()): Promise<TokenPair> {
  const old = parseRefreshToken(refreshToken);
  if (!old) throw new UnauthorizedError('The refresh token is not valid.');
  const next = newRefreshToken(old.userId, old.sessionId, now);
  const failure = await sessionsStore.rotateRefreshToken(old.hash, next.record, now);
  if (failure === 'reused') {
    await sessionsStore.deleteSession(old.userId, old.sessionId);
    metrics.count('RefreshTokensReused');
    throw new UnauthorizedError(
      'The refresh token was already used, so the session has been ended. Log in again.',
    );
  }
  if (failure === 'disabled') throw accountDisabled();
  if (failure) throw new UnauthorizedError('The refresh token is not valid.');
  return tokenPair(old.userId, old.sessionId, next.token);
}

/** Ends the token's session. Idempotent: an unknown or already revoked token is not an error. */
export async function logout(refreshToken: string): Promise<void> {
  const token = parseRefreshToken(refreshToken);
  if (!token) return; // never a token of ours: nothing to end
  await sessionsStore.deleteSessionOfToken(token.hash, token.userId, token.sessionId);
}

export interface PresentedSession {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  current: boolean;
}

export async function listSessions(
  userId: string,
  currentSessionId: string | undefined,
  now = new Date(),
): Promise<{ items: PresentedSession[] }> {
  const sessions = await sessionsStore.listSessions(userId, now);
  return {
    items: sessions.map(({ id, createdAt, lastUsedAt, userAgent }) => ({
      id,
      createdAt,
      lastUsedAt,
      userAgent,
      current: id === currentSessionId,
    })),
  };
}

/** Ends one of the caller's sessions; another user's session id is simply not found among theirs. */
export async function endSession(userId: string, sessionId: string): Promise<void> {
  if (!(await sessionsStore.deleteSession(userId, sessionId))) {
    throw new NotFoundError(`You have no session with the id "${sessionId}".`);
  }
}

export async function endAllSessions(userId: string): Promise<void> {
  await sessionsStore.deleteSessions(userId);
}

/**
 * Changes the password after proving the current one, ends every session but the caller's, and closes every
 * WebSocket of the user, the caller's too (issue: a changed password leaves no socket open); the caller's
 * clients reconnect with the access token they hold and catch up with /sync.
 */
export async function changePassword(
  userId: string,
  currentSessionId: string | undefined,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const user = await usersStore.getUser(userId);
  const claim = user ? await usersStore.getUsernameClaim(user.username) : undefined;
  if (!user || !claim || claim.userId !== userId) throw new NotFoundError('The user no longer exists.');
  if (!(await verifyPassword(currentPassword, claim.passwordHash))) {
    throw new ForbiddenError('The current password is wrong.', [
      { field: 'currentPassword', message: 'is wrong' },
    ]);
  }
  const newHash = await hashPassword(newPassword, scryptParams(config.passwordHashLogN));
  if (!(await usersStore.replacePasswordHash(user.username, userId, claim.passwordHash, newHash))) {
    throw new ConflictError('The password was changed at the same time by another request.');
  }
  await Promise.all([
    sessionsStore.deleteSessions(userId, currentSessionId),
    currentSessionId ? sessionsStore.restartSession(userId, currentSessionId) : undefined,
  ]);
}
