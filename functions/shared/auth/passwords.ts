/** Password hashing with scrypt (node:crypto): per-user random salt, constant-time comparison. */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 64;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's current minimum for scrypt. Production always hashes with this (config.passwordHashLogN = 17). */
export const PRODUCTION_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/** scrypt's parameters for a cost of 2^logN, r and p as in production. */
export const scryptParams = (logN: number): ScryptParams => ({ ...PRODUCTION_SCRYPT_PARAMS, N: 2 ** logN });

/**
 * scrypt needs 128 * N * r bytes (128 MB at N = 2^17, r = 8); node refuses more than `maxmem`, whose default
 * (32 MB) is too small. Twice the need leaves room for p and node's own bookkeeping, and still bounds what a
 * stored hash with absurd parameters could make us allocate (the cap below refuses those first).
 */
const maxmemFor = ({ N, r }: ScryptParams) => 2 * 128 * N * r;
const MAX_ACCEPTED_N = 2 ** 20;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const options: ScryptOptions = { ...params, maxmem: maxmemFor(params) };
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Encoded as `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised without a migration. */
export async function hashPassword(
  password: string,
  params: ScryptParams = PRODUCTION_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

function decode(encoded: string) {
  const [scheme, n, r, p, salt, hash, ...rest] = encoded.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash || rest.length > 0) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // A tampered record must not make us allocate gigabytes: parameters beyond any we ever used are no match.
  if (!(params.N <= MAX_ACCEPTED_N && params.r <= 32 && params.p <= 16)) return undefined;
  return { params, salt, hash };
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const decoded = decode(encoded);
  if (!decoded) return false;
  const expected = Buffer.from(decoded.hash, 'base64url');
  // Parameters scrypt refuses (a corrupted or tampered record) mean "no match", like any other bad encoding.
  const actual = await derive(password, Buffer.from(decoded.salt, 'base64url'), decoded.params).catch(
    () => undefined,
  );
  return actual !== undefined && actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * True when a stored hash is weaker than `target` (made before the parameters were raised): the login that
 * proves the password then stores a new hash. Never true for a hash at least as strong, so lowering the cost
 * for tests never rewrites anything.
 */
export function needsRehash(encoded: string, target: ScryptParams): boolean {
  const decoded = decode(encoded);
  if (!decoded) return false;
  const { N, r, p } = decoded.params;
  return N < target.N || r < target.r || p < target.p;
}

/**
 * The stored hash an unknown username is verified against, so an unknown user costs the same time as a wrong
 * password and timing does not reveal which usernames exist. Verifying derives a full scrypt key with `params`
 * from the password and the random salt, exactly as for a real hash; the expected key is random bytes, which no
 * password derives. So making it costs nothing (no scrypt at cold start) and no password ever matches it. The
 * login function makes it once, at load (functions/http/login.ts).
 */
export function decoyPasswordHash(params: ScryptParams): string {
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    randomBytes(16).toString('base64url'),
    randomBytes(KEY_LENGTH).toString('base64url'),
  ].join('$');
}
