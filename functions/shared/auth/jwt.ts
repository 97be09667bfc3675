/**
 * Compact JWS (JWT) signing and verification with ES256 only, on node:crypto: a couple of KB where a general
 * JOSE library weighs 15 KB in every bundle. Deliberately narrow: the algorithm is pinned (no `none`, no
 * HS256 with a public key as the secret), the key is chosen by `kid` from a fixed set, no `crit` extensions
 * are understood, and every registered claim we rely on is checked. The tests check it against an
 * independent implementation (jose) in both directions.
 */
import { type KeyObject, sign, verify } from 'node:crypto';

export type JwtFailure = 'malformed' | 'algorithm' | 'key' | 'signature' | 'expired' | 'claims';

export class JwtError extends Error {
  constructor(
    readonly reason: JwtFailure,
    message: string,
  ) {
    super(message);
    this.name = 'JwtError';
  }
}

export interface JwtClaims {
  sub?: unknown;
  iss?: unknown;
  aud?: unknown;
  iat?: unknown;
  exp?: unknown;
  nbf?: unknown;
  [claim: string]: unknown;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** An ES256 signature is r and s, 32 bytes each (JWA, RFC 7518 section 3.4). */
const SIGNATURE_BYTES = 64;

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new JwtError('malformed', `The token's ${what} is not a JSON object.`);
}

export function signJwt(claims: JwtClaims, key: { kid: string; privateKey: KeyObject }): string {
  const signingInput = `${encode({ alg: 'ES256', typ: 'JWT', kid: key.kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

export interface Expectations {
  issuer: string;
  audience: string;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
  /** Allowed clock difference with the issuer, in seconds (default 5). */
  clockToleranceSeconds?: number;
}

/** The verified claims; any other outcome is a JwtError saying why. */
export function verifyJwt(
  token: string,
  keys: ReadonlyMap<string, KeyObject>,
  expected: Expectations,
): JwtClaims {
  const parts = token.split('.');
  const [header = '', payload = '', signature = ''] = parts;
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new JwtError('malformed', 'The token is not a signed JWT.');
  }
  const protectedHeader = decodeJson(header, 'header');
  if (protectedHeader.alg !== 'ES256') throw new JwtError('algorithm', 'The token is not signed with ES256.');
  if ('crit' in protectedHeader) throw new JwtError('malformed', 'The token has critical header extensions.');
  if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'JWT') {
    throw new JwtError('malformed', 'The token is not a JWT.');
  }
  const key = typeof protectedHeader.kid === 'string' ? keys.get(protectedHeader.kid) : undefined;
  if (!key) throw new JwtError('key', 'The token was not signed by a current key.');
  const signatureBytes = Buffer.from(signature, 'base64url');
  const valid =
    signatureBytes.length === SIGNATURE_BYTES &&
    verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, signatureBytes);
  if (!valid) throw new JwtError('signature', 'The token signature is not valid.');

  const claims = decodeJson(payload, 'payload') as JwtClaims;
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const tolerance = expected.clockToleranceSeconds ?? 5;
  if (claims.iss !== expected.issuer) throw new JwtError('claims', 'The token is from another issuer.');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.audience))
    throw new JwtError('claims', 'The token is for another audience.');
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') {
    throw new JwtError('claims', 'The token has no issue or expiry time.');
  }
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + tolerance)) {
    throw new JwtError('claims', 'The token is not valid yet.');
  }
  if (claims.exp <= now - tolerance) throw new JwtError('expired', 'The token has expired.');
  return claims;
}
