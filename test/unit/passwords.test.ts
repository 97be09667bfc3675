import { describe, expect, it } from 'vitest';
import {
  decoyPasswordHash,
  hashPassword,
  needsRehash,
  PRODUCTION_SCRYPT_PARAMS,
  scryptParams,
  verifyPassword,
} from '../../functions/shared/auth/passwords';

// The suite hashes at a low cost (cheap, fast); one test below proves the production default works.
const cheap = scryptParams(10);

/**
 * Replaces the first character of one `$`-separated part of an encoded hash. The first character, because
 * the last one of a base64url string may carry only padding bits, and changing those changes nothing.
 */
function tamperPart(encoded: string, index: number): string {
  const parts = encoded.split('$');
  const part = parts[index] ?? '';
  const first = part.startsWith('A') ? 'B' : 'A';
  parts[index] = `${first}${part.slice(1)}`;
  return parts.join('$');
}

describe('password hashing', () => {
  it('hashes with OWASP minimum parameters by default (N = 2^17, r = 8, p = 1), within maxmem', async () => {
    const encoded = await hashPassword('correct horse battery staple');

    expect(PRODUCTION_SCRYPT_PARAMS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(encoded).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(encoded).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery staple', encoded)).resolves.toBe(true);
  });

  it('asks for a rehash only of hashes weaker than the target, never of stronger ones', async () => {
    const old = await hashPassword('a password', scryptParams(10));
    const current = await hashPassword('a password', scryptParams(11));

    expect(needsRehash(old, scryptParams(11))).toBe(true);
    expect(needsRehash(current, scryptParams(11))).toBe(false);
    expect(needsRehash(current, scryptParams(10))).toBe(false);
    expect(needsRehash('scrypt$16384$8$1$c2FsdA$aGFzaA', PRODUCTION_SCRYPT_PARAMS)).toBe(true);
    expect(needsRehash('not a hash', PRODUCTION_SCRYPT_PARAMS)).toBe(false);
  });

  it('gives a different hash each time for the same password, because each hash has its own salt', async () => {
    const first = await hashPassword('same password twice', cheap);

    const second = await hashPassword('same password twice', cheap);

    expect(second).not.toBe(first);
    expect(second.split('$')[4]).not.toBe(first.split('$')[4]);
  });

  it('verifies the password that was hashed', async () => {
    const encoded = await hashPassword('the right password', cheap);

    await expect(verifyPassword('the right password', encoded)).resolves.toBe(true);
  });

  it('rejects a different password, including one that differs only in case', async () => {
    const encoded = await hashPassword('the right password', cheap);

    await expect(verifyPassword('the wrong password', encoded)).resolves.toBe(false);
    await expect(verifyPassword('The right password', encoded)).resolves.toBe(false);
  });

  it('treats composed and decomposed forms of the same accented password as equal', async () => {
    const encoded = await hashPassword('caf\u00e9 au lait', cheap);

    await expect(verifyPassword('cafe\u0301 au lait', encoded)).resolves.toBe(true);
  });

  it('rejects the right password against a hash whose derived key was tampered with', async () => {
    const encoded = await hashPassword('the right password', cheap);
    const tampered = tamperPart(encoded, 5);

    expect(Buffer.from(tampered.split('$')[5] ?? '', 'base64url')).not.toEqual(
      Buffer.from(encoded.split('$')[5] ?? '', 'base64url'),
    );
    await expect(verifyPassword('the right password', tampered)).resolves.toBe(false);
  });

  it('rejects the right password against a hash whose salt was tampered with', async () => {
    const encoded = await hashPassword('the right password', cheap);

    await expect(verifyPassword('the right password', tamperPart(encoded, 4))).resolves.toBe(false);
  });

  it('rejects the right password against a hash with a truncated derived key', async () => {
    const encoded = await hashPassword('the right password', cheap);

    await expect(verifyPassword('the right password', encoded.slice(0, -10))).resolves.toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['another scheme', 'bcrypt$16384$8$1$c2FsdA$aGFzaA'],
    ['missing parts', 'scrypt$16384$8$1'],
    ['non-numeric parameters', 'scrypt$abc$8$1$c2FsdA$aGFzaA'],
    ['an invalid cost parameter', 'scrypt$3$8$1$c2FsdA$aGFzaA'],
    ['a cost far beyond any we use (memory exhaustion)', 'scrypt$1073741824$8$1$c2FsdA$aGFzaA'],
  ])('returns false instead of throwing for a stored hash with %s', async (_name, encoded) => {
    await expect(verifyPassword('any password', encoded)).resolves.toBe(false);
  });

  it('makes a decoy that no password matches, with the parameters asked for (so verifying it costs a full derivation)', async () => {
    const first = decoyPasswordHash(cheap);

    const second = decoyPasswordHash(cheap);

    expect(second).not.toBe(first);
    expect(first.split('$').slice(0, 4)).toEqual([
      'scrypt',
      String(cheap.N),
      String(cheap.r),
      String(cheap.p),
    ]);
    // Shaped as a real hash (salt and a key as long as a derived one), so verification derives before comparing.
    const real = (await hashPassword('a password', cheap)).split('$');
    expect(first.split('$').map((part) => part.length)).toEqual(real.map((part) => part.length));
    await expect(verifyPassword('', first)).resolves.toBe(false);
    await expect(verifyPassword('password', first)).resolves.toBe(false);
  });
});
