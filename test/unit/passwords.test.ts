import { describe, expect, it } from 'vitest';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../functions/shared/auth/passwords';

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
  it('encodes the scheme, the scrypt parameters, a salt and the derived key', async () => {
    const encoded = await hashPassword('correct horse battery staple');

    expect(encoded).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(encoded).not.toContain('correct horse');
  });

  it('gives a different hash each time for the same password, because each hash has its own salt', async () => {
    const first = await hashPassword('same password twice');

    const second = await hashPassword('same password twice');

    expect(second).not.toBe(first);
    expect(second.split('$')[4]).not.toBe(first.split('$')[4]);
  });

  it('verifies the password that was hashed', async () => {
    const encoded = await hashPassword('the right password');

    await expect(verifyPassword('the right password', encoded)).resolves.toBe(true);
  });

  it('rejects a different password, including one that differs only in case', async () => {
    const encoded = await hashPassword('the right password');

    await expect(verifyPassword('the wrong password', encoded)).resolves.toBe(false);
    await expect(verifyPassword('The right password', encoded)).resolves.toBe(false);
  });

  it('treats composed and decomposed forms of the same accented password as equal', async () => {
    const encoded = await hashPassword('caf\u00e9 au lait');

    await expect(verifyPassword('cafe\u0301 au lait', encoded)).resolves.toBe(true);
  });

  it('rejects the right password against a hash whose derived key was tampered with', async () => {
    const encoded = await hashPassword('the right password');
    const tampered = tamperPart(encoded, 5);

    expect(Buffer.from(tampered.split('$')[5] ?? '', 'base64url')).not.toEqual(
      Buffer.from(encoded.split('$')[5] ?? '', 'base64url'),
    );
    await expect(verifyPassword('the right password', tampered)).resolves.toBe(false);
  });

  it('rejects the right password against a hash whose salt was tampered with', async () => {
    const encoded = await hashPassword('the right password');

    await expect(verifyPassword('the right password', tamperPart(encoded, 4))).resolves.toBe(false);
  });

  it('rejects the right password against a hash with a truncated derived key', async () => {
    const encoded = await hashPassword('the right password');

    await expect(verifyPassword('the right password', encoded.slice(0, -10))).resolves.toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['another scheme', 'bcrypt$16384$8$1$c2FsdA$aGFzaA'],
    ['missing parts', 'scrypt$16384$8$1'],
    ['non-numeric parameters', 'scrypt$abc$8$1$c2FsdA$aGFzaA'],
    ['an invalid cost parameter', 'scrypt$3$8$1$c2FsdA$aGFzaA'],
  ])('returns false instead of throwing for a stored hash with %s', async (_name, encoded) => {
    await expect(verifyPassword('any password', encoded)).resolves.toBe(false);
  });

  it('keeps one decoy hash per execution environment, and no common password matches it', async () => {
    const first = await decoyPasswordHash();

    const second = await decoyPasswordHash();

    expect(second).toBe(first);
    await expect(verifyPassword('', first)).resolves.toBe(false);
    await expect(verifyPassword('password', first)).resolves.toBe(false);
  });
});
