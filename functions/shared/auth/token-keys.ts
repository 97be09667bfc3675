/**
 * The key set that signs access tokens (ES256, P-256), and its rotation. One JSON document holds it: in a
 * Secrets Manager secret on AWS (written at deploy by the token-signing-keys custom resource), in
 * DATA_DIR/secrets locally. Only login and refresh read it; every other function gets the public keys (a
 * JWKS) in its environment.
 *
 * Three keys, so that a rotation never produces a token some function cannot verify yet:
 * - `current` signs new tokens;
 * - `next` is published in the JWKS one rotation before it signs anything, so every verifier (including
 *   those still running the previous deployment's environment) knows it by the time login starts using it;
 * - `previous` (public part only) was current before the last rotation: tokens it signed verify until they
 *   expire. It is dropped at the rotation after.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  /** The key's RFC 7638 thumbprint: a token's `kid` header names the key that verifies it. */
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface PrivateJwk extends PublicJwk {
  d: string;
}

export interface TokenKeySet {
  /** The rotation counter these keys were made for (`-c tokenKeyGeneration=N` on AWS). */
  generation: number;
  current: PrivateJwk;
  next: PrivateJwk;
  previous?: PublicJwk;
}

export interface Jwks {
  keys: PublicJwk[];
}

/** RFC 7638: the SHA-256 of the key's required members, in lexicographic order, without whitespace. */
export function jwkThumbprint(key: { crv: string; kty: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: key.crv, kty: key.kty, x: key.x, y: key.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

export function newSigningKey(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as { crv: string; x: string; y: string; d: string };
  const key = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as const;
  return { ...key, d: jwk.d, kid: jwkThumbprint(key), alg: 'ES256', use: 'sig' };
}

/** Only the public members: never a private `d`, whatever the input holds. */
export function publicPart({ kty, crv, x, y, kid }: PublicJwk): PublicJwk {
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
}

export function newTokenKeySet(generation: number): TokenKeySet {
  return { generation, current: newSigningKey(), next: newSigningKey() };
}

/** The published keys: current, next and (if any) previous. */
export function publicJwks(set: TokenKeySet): Jwks {
  return {
    keys: [set.current, set.next, ...(set.previous ? [set.previous] : [])].map(publicPart),
  };
}

/**
 * The key set for a deployment asking for `generation`: the existing one while the generation is the same,
 * rotated once when it is higher. A lower generation (a rollback, or an older template) keeps the keys as
 * they are: they already verify everything either deployment signs.
 */
export function keySetForGeneration(
  existing: TokenKeySet | undefined,
  generation: number,
): { keySet: TokenKeySet; changed: boolean } {
  if (!Number.isInteger(generation) || generation < 1) {
    throw new Error(`The token key generation must be a whole number from 1, not ${generation}`);
  }
  if (!existing) return { keySet: newTokenKeySet(generation), changed: true };
  if (generation <= existing.generation) return { keySet: existing, changed: false };
  return {
    keySet: {
      generation,
      current: existing.next,
      next: newSigningKey(),
      previous: publicPart(existing.current),
    },
    changed: true,
  };
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function checkJwk(value: unknown, where: string, needsPrivate: boolean): PublicJwk {
  const key = value as Partial<PrivateJwk> | null;
  const valid =
    typeof key === 'object' &&
    key !== null &&
    key.kty === 'EC' &&
    key.crv === 'P-256' &&
    isString(key.x) &&
    isString(key.y) &&
    isString(key.kid) &&
    (key.alg === undefined || key.alg === 'ES256') &&
    (!needsPrivate || isString(key.d));
  if (!valid)
    throw new Error(`${where} is not a P-256 ${needsPrivate ? 'private' : 'public'} JWK with a kid`);
  return key as PublicJwk;
}

/** Reads a stored key set (the secret's or the local file's content); throws when it is not one. */
export function parseTokenKeySet(text: string): TokenKeySet {
  const value = JSON.parse(text) as Partial<TokenKeySet> | null;
  if (typeof value !== 'object' || value === null || !Number.isInteger(value.generation)) {
    throw new Error('The token key set has no generation');
  }
  checkJwk(value.current, 'The current token key', true);
  checkJwk(value.next, 'The next token key', true);
  if (value.previous !== undefined) checkJwk(value.previous, 'The previous token key', false);
  return value as TokenKeySet;
}

/** Reads a JWKS (TOKEN_JWKS); throws naming what is wrong. */
export function parseJwks(text: string): Jwks {
  const value = JSON.parse(text) as Partial<Jwks> | null;
  if (typeof value !== 'object' || value === null || !Array.isArray(value.keys) || value.keys.length === 0) {
    throw new Error('it has no keys');
  }
  return { keys: value.keys.map((key, index) => publicPart(checkJwk(key, `key ${index}`, false))) };
}
