/**
 * Access tokens made by the tests themselves with jose, an implementation independent of ours: tokens signed
 * with the server's own current key (to show a forged variant differs only as named), with keys it does not
 * know, or with algorithms it must refuse.
 */
import { readFile } from 'node:fs/promises';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import { type PrivateJwk, parseTokenKeySet } from '../../functions/shared/auth/token-keys';

export const ISSUER = 'chat-backend';
export const AUDIENCE = 'chat-api';

/** The key set the functions sign with (the local twin of the Secrets Manager secret). */
export async function serverKeySet() {
  const file = process.env.TOKEN_SIGNING_KEY_FILE;
  if (!file) throw new Error('TOKEN_SIGNING_KEY_FILE is not set for this test file');
  return parseTokenKeySet(await readFile(file, 'utf8'));
}

export interface TestClaims {
  sub?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now (negative: in the past). */
  expiresIn?: number;
  issuedAgo?: number;
  extra?: JWTPayload;
}

/** An ES256 token signed with `key` and carrying `kid` (the key's own unless given). */
export async function signEs256(key: PrivateJwk, claims: TestClaims = {}, kid = key.kid): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims.extra })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(now - (claims.issuedAgo ?? 0))
    .setExpirationTime(now + (claims.expiresIn ?? 600));
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(await importJWK({ ...key }, 'ES256'));
}

/** An HS256 token whose HMAC secret is `secret`: how an algorithm-confusion attack uses a public key. */
export async function signHs256(secret: Uint8Array, claims: TestClaims = {}, kid?: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresIn ?? 600));
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(secret);
}
