/** Login, token refresh and logout. */
import { createHash, randomBytes } from 'node:crypto';
import { decoyPasswordHash, verifyPassword } from '../auth/passwords';
import { issueAccessToken } from '../auth/token-issuer';
import { config } from '../config';
import * as store from '../data/users-store';
import { UnauthorizedError } from '../errors';
import { metrics } from '../metrics';
import type { TokenPair } from '../schemas/auth';
import { type PresentedUser, presentUser } from './users';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Refresh tokens are `<userId>.<256 random bits>`: the user id lets a refresh rotate the token in one
 * conditional transaction (no read first); only the SHA-256 of the whole token is stored.
 */
function parseRefreshToken(token: string): { userId: string; hash: string } {
  const [userId, secret, ...rest] = token.split('.');
  if (!userId || !secret || rest.length > 0) throw new UnauthorizedError('The refresh token is not valid.');
  return { userId, hash: hashToken(token) };
}

function newRefreshToken(userId: string, now: Date) {
  const token = `${userId}.${randomBytes(32).toString('base64url')}`;
  const record: store.RefreshTokenRecord = {
    tokenHash: hashToken(token),
    userId,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + config.refreshTokenTtlSeconds,
  };
  return { token, record };
}

async function tokenPair(userId: string, refreshToken: string): Promise<TokenPair> {
  const access = await issueAccessToken(userId);
  return { token: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken };
}

export async function login(
  username: string,
  password: string,
  now = new Date(),
): Promise<TokenPair & { user: PresentedUser }> {
  const claim = await store.getUsernameClaim(username);
  // Unknown users are checked against a decoy hash so both failures take the same time and give the same 401.
  const passwordMatches = await verifyPassword(password, claim?.passwordHash ?? (await decoyPasswordHash()));
  const user = claim && passwordMatches ? await store.getUser(claim.userId) : undefined;
  if (!user) {
    metrics.count('LoginsFailed');
    throw new UnauthorizedError('The username or password is wrong.');
  }
  const refresh = newRefreshToken(user.id, now);
  await store.putRefreshToken(refresh.record);
  return { ...(await tokenPair(user.id, refresh.token)), user: presentUser(user) };
}

export async function refresh(refreshToken: string, now = new Date()): Promise<TokenPair> {
  const old = parseRefreshToken(refreshToken);
  const next = newRefreshToken(old.userId, now);
  await store.rotateRefreshToken(old.hash, next.record, Math.floor(now.getTime() / 1000));
  return tokenPair(old.userId, next.token);
}

/** Revokes the token. Idempotent: an unknown or already revoked token is not an error. */
export async function logout(refreshToken: string): Promise<void> {
  let hash: string;
  try {
    hash = parseRefreshToken(refreshToken).hash;
  } catch {
    return; // never a token of ours: nothing to revoke
  }
  await store.deleteRefreshToken(hash);
}
