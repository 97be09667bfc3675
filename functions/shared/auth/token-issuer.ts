/**
 * Issues access tokens, signed with the current key of the token key set (token-keys.ts). Only the login and
 * refresh functions import this, and only they are given the key set (TOKEN_SIGNING_KEY_SECRET_ARN on AWS,
 * TOKEN_SIGNING_KEY_FILE locally); it is read once per execution environment.
 */
import { createPrivateKey } from 'node:crypto';
import { config } from '../config';
import { cachedOnSuccess, readSecret, regionOfSecret } from '../secrets';
import { AUDIENCE, ISSUER } from './access-tokens';
import { type JwtClaims, signJwt } from './jwt';
import { parseTokenKeySet } from './token-keys';

const signingKey = /* @__PURE__ */ cachedOnSuccess(async () => {
  const source = config.tokenSigningKey;
  if (!source) {
    throw new Error(
      'Invalid configuration: TOKEN_SIGNING_KEY_SECRET_ARN or TOKEN_SIGNING_KEY_FILE must be set',
    );
  }
  // Read in the region its ARN names: outside a multi-region stage's home region, the home region's key set.
  const { current } = parseTokenKeySet(await readSecret(source, regionOfSecret(source)));
  return { kid: current.kid, privateKey: createPrivateKey({ key: { ...current }, format: 'jwk' }) };
});

/**
 * A new access token for `userId`. `claims` adds claims of our own (e.g. a session id, `sid`); the registered
 * ones (sub, iss, aud, iat, exp) are always ours.
 */
export async function issueAccessToken(
  userId: string,
  claims: Record<string, string | number> = {},
  now = new Date(),
): Promise<{ token: string; expiresIn: number }> {
  const expiresIn = config.accessTokenTtlSeconds;
  const issuedAt = Math.floor(now.getTime() / 1000);
  const payload: JwtClaims = {
    ...claims,
    sub: userId,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: issuedAt,
    exp: issuedAt + expiresIn,
  };
  return { token: signJwt(payload, await signingKey()), expiresIn };
}
