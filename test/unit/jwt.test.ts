/**
 * Our ES256 JWT code against jose, an independent implementation, in both directions, and against the
 * tokens an attacker would try.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { type JwtFailure, signJwt, verifyJwt } from '../../functions/shared/auth/jwt';
import {
  newSigningKey,
  type PrivateJwk,
  publicJwks,
  publicPart,
} from '../../functions/shared/auth/token-keys';
import { AUDIENCE, ISSUER, signEs256, signHs256 } from '../support/tokens';

const key = newSigningKey();
const other = newSigningKey();
const keys: ReadonlyMap<string, KeyObject> = new Map([
  [key.kid, createPublicKey({ key: { ...publicPart(key) }, format: 'jwk' })],
]);
const expectations = { issuer: ISSUER, audience: AUDIENCE };
const now = () => Math.floor(Date.now() / 1000);

const signOurs = (claims: Record<string, unknown>, signer: PrivateJwk = key) =>
  signJwt(claims, { kid: signer.kid, privateKey: createPrivateKey({ key: { ...signer }, format: 'jwk' }) });

const validClaims = () => ({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 });

function failureOf(token: string, at?: number): JwtFailure | 'none' {
  try {
    verifyJwt(token, keys, { ...expectations, now: at });
    return 'none';
  } catch (error) {
    return (error as { reason: JwtFailure }).reason;
  }
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('ES256 tokens', () => {
  it('signs tokens that jose verifies against the published JWKS, with the kid in the header', async () => {
    const token = signOurs({ ...validClaims(), sid: 'session-1' });

    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet(publicJwks({ generation: 1, current: key, next: other })),
      {
        algorithms: ['ES256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      },
    );

    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: key.kid });
    expect(payload).toMatchObject({ sub: 'user-1', sid: 'session-1' });
  });

  it('verifies tokens that jose signed with the same key', async () => {
    const token = await signEs256(key, { sub: 'user-2' });

    expect(verifyJwt(token, keys, expectations)).toMatchObject({ sub: 'user-2', iss: ISSUER, aud: AUDIENCE });
  });

  it('accepts an audience list that includes ours', async () => {
    const token = signOurs({ ...validClaims(), aud: ['other-api', AUDIENCE] });

    expect(failureOf(token)).toBe('none');
  });

  it.each<[string, () => Promise<string> | string, JwtFailure]>([
    [
      'an unsigned token with alg "none"',
      () => `${base64url({ alg: 'none', kid: key.kid })}.${base64url(validClaims())}.`,
      'malformed',
    ],
    [
      'an HS256 token whose secret is the public key (algorithm confusion)',
      () => signHs256(Buffer.from(JSON.stringify(publicPart(key))), { sub: 'user-1' }, key.kid),
      'algorithm',
    ],
    [
      'a token signed by an unknown key that claims a known kid',
      () => signEs256(other, { sub: 'user-1' }, key.kid),
      'signature',
    ],
    ['a token signed by an unknown key with its own kid', () => signEs256(other, { sub: 'user-1' }), 'key'],
    [
      'a token without a kid',
      () => {
        const [, payload, signature] = signOurs(validClaims()).split('.');
        return `${base64url({ alg: 'ES256', typ: 'JWT' })}.${payload}.${signature}`;
      },
      'key',
    ],
    [
      'a token whose payload was changed after signing',
      () => {
        const [header, , signature] = signOurs(validClaims()).split('.');
        return `${header}.${base64url({ ...validClaims(), sub: 'someone-else' })}.${signature}`;
      },
      'signature',
    ],
    [
      'a token with a truncated signature',
      () => {
        const token = signOurs(validClaims());
        return token.slice(0, -10);
      },
      'signature',
    ],
    [
      'a token with a critical header extension',
      () => {
        const [, payload, signature] = signOurs(validClaims()).split('.');
        return `${base64url({ alg: 'ES256', kid: key.kid, crit: ['exp'] })}.${payload}.${signature}`;
      },
      'malformed',
    ],
    ['a token of two parts', () => signOurs(validClaims()).split('.').slice(0, 2).join('.'), 'malformed'],
    ['a token with characters outside base64url', () => `${signOurs(validClaims())}=`, 'malformed'],
    ['a header that is not JSON', () => `${Buffer.from('nope').toString('base64url')}.e30.AA`, 'malformed'],
    ['an expired token', () => signOurs({ ...validClaims(), iat: now() - 3600, exp: now() - 60 }), 'expired'],
    ['a token from another issuer', () => signOurs({ ...validClaims(), iss: 'someone-else' }), 'claims'],
    ['a token for another audience', () => signOurs({ ...validClaims(), aud: 'other-api' }), 'claims'],
    ['a token without an expiry', () => signOurs({ ...validClaims(), exp: undefined }), 'claims'],
    ['a token without an issue time', () => signOurs({ ...validClaims(), iat: undefined }), 'claims'],
    ['a token not valid yet', () => signOurs({ ...validClaims(), nbf: now() + 3600 }), 'claims'],
  ])('rejects %s', async (_name, makeToken, reason) => {
    expect(failureOf(await makeToken())).toBe(reason);
  });

  it('allows a few seconds of clock difference at expiry, and no more', () => {
    const token = signOurs({ ...validClaims(), exp: now() });

    expect(failureOf(token, now() + 3)).toBe('none');
    expect(failureOf(token, now() + 30)).toBe('expired');
  });
});
