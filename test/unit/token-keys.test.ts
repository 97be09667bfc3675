/** The token key set: generation, the JWKS it publishes, and rotation without a token nobody can verify. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from '../../functions/shared/auth/jwt';
import {
  keySetForGeneration,
  newTokenKeySet,
  type PrivateJwk,
  parseTokenKeySet,
  publicJwks,
  type TokenKeySet,
} from '../../functions/shared/auth/token-keys';
import { AUDIENCE, ISSUER } from '../support/tokens';

const rotate = (set: TokenKeySet | undefined, generation: number) =>
  keySetForGeneration(set, generation).keySet;

/** A token signed with `key`, and whether the functions holding `set`'s JWKS accept it. */
function verifiesUnder(set: TokenKeySet, key: PrivateJwk): boolean {
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt(
    { sub: 'u', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 },
    { kid: key.kid, privateKey: createPrivateKey({ key: { ...key }, format: 'jwk' }) },
  );
  const keys = new Map(
    publicJwks(set).keys.map((jwk) => [jwk.kid, createPublicKey({ key: { ...jwk }, format: 'jwk' })]),
  );
  try {
    verifyJwt(token, keys, { issuer: ISSUER, audience: AUDIENCE });
    return true;
  } catch {
    return false;
  }
}

describe('token key set', () => {
  it('names each key by its RFC 7638 thumbprint, as jose computes it', async () => {
    const set = newTokenKeySet(1);

    for (const key of [set.current, set.next]) {
      expect(key.kid).toBe(await calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x, y: key.y }));
    }
    expect(set.current.kid).not.toBe(set.next.kid);
  });

  it('publishes the current and next public keys, and never a private member', () => {
    const set = newTokenKeySet(1);

    const jwks = publicJwks(set);

    expect(jwks.keys.map((key) => key.kid)).toEqual([set.current.kid, set.next.kid]);
    for (const key of jwks.keys) {
      expect(key).toEqual({
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: expect.any(String),
        alg: 'ES256',
        use: 'sig',
      });
    }
    expect(JSON.stringify(jwks)).not.toContain(set.current.d);
  });

  it('keeps the keys while the generation stays the same, and after a lower one (a rollback)', () => {
    const set = rotate(undefined, 2);

    expect(keySetForGeneration(set, 2)).toEqual({ keySet: set, changed: false });
    expect(keySetForGeneration(set, 1)).toEqual({ keySet: set, changed: false });
  });

  it('rotates once on a higher generation: the published next key signs, the old current one still verifies', () => {
    const first = rotate(undefined, 1);

    const second = rotate(first, 2);

    expect(second.generation).toBe(2);
    expect(second.current).toEqual(first.next);
    expect(second.previous?.kid).toBe(first.current.kid);
    expect(second.previous).not.toHaveProperty('d');
    expect(second.next.kid).not.toBe(first.next.kid);
    // Tokens the old key signed keep working; verifiers still on the old JWKS already accept the new key.
    expect(verifiesUnder(second, first.current)).toBe(true);
    expect(verifiesUnder(first, second.current)).toBe(true);
  });

  it('drops the previous key at the rotation after, so its tokens stop verifying', () => {
    const first = rotate(undefined, 1);
    const third = rotate(rotate(first, 2), 3);

    expect(third.previous?.kid).toBe(first.next.kid);
    expect(verifiesUnder(third, first.current)).toBe(false);
    expect(publicJwks(third).keys.map((key) => key.kid)).not.toContain(first.current.kid);
  });

  it('rotates once however far the generation jumps', () => {
    const first = rotate(undefined, 1);

    const jumped = rotate(first, 5);

    expect(jumped).toMatchObject({
      generation: 5,
      current: first.next,
      previous: { kid: first.current.kid },
    });
  });

  it('refuses a generation that is not a whole number from 1', () => {
    expect(() => keySetForGeneration(undefined, 0)).toThrow(/whole number/);
    expect(() => keySetForGeneration(undefined, 1.5)).toThrow(/whole number/);
  });

  it('reads back a stored key set, and refuses what is not one', () => {
    const set = rotate(rotate(undefined, 1), 2);

    expect(parseTokenKeySet(JSON.stringify(set))).toEqual(set);
    expect(() => parseTokenKeySet('"a random placeholder"')).toThrow();
    expect(() =>
      parseTokenKeySet(JSON.stringify({ ...set, current: { ...set.current, d: undefined } })),
    ).toThrow(/private/);
  });
});
