/**
 * Short-lived access tokens: ES256 JWTs whose `sub` is the user id. Verified here with the public keys in the
 * function's environment (TOKEN_JWKS); issued by token-issuer.ts, in login and refresh only.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { config } from '../config';
import { UnauthorizedError } from '../errors';
import { type JwtClaims, JwtError, verifyJwt } from './jwt';

export const ISSUER = 'chat-backend';
export const AUDIENCE = 'chat-api';

/** The claims of a verified access token. `sub` is the user; other claims (e.g. a session id) may follow. */
export interface AccessTokenClaims extends JwtClaims {
  sub: string;
  iat: number;
  exp: number;
}

/**
 * For a function that verifies tokens, at load: a missing TOKEN_JWKS fails the cold start with a message
 * naming it, instead of every request with a 500.
 */
export function requireTokenJwks(): void {
  if (!config.tokenJwks) {
    throw new Error('Invalid configuration: TOKEN_JWKS must be set to verify access tokens');
  }
}

let verificationKeys: Map<string, KeyObject> | undefined;
/** The JWKS as key objects, built once per execution environment, on first use. */
function keys(): Map<string, KeyObject> {
  if (!verificationKeys) {
    requireTokenJwks();
    verificationKeys = new Map(
      (config.tokenJwks?.keys ?? []).map((jwk) => [
        jwk.kid,
        createPublicKey({ key: { ...jwk }, format: 'jwk' }),
      ]),
    );
  }
  return verificationKeys;
}

/** The claims of a valid token; any invalid, expired or tampered token is an UnauthorizedError. */
export function readAccessToken(token: string, now?: number): AccessTokenClaims {
  try {
    const claims = verifyJwt(token, keys(), { issuer: ISSUER, audience: AUDIENCE, now });
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw new UnauthorizedError('The token has no subject.');
    }
    return claims as AccessTokenClaims;
  } catch (error) {
    if (error instanceof JwtError) {
      throw new UnauthorizedError(
        error.reason === 'expired' ? 'The access token has expired.' : 'The access token is not valid.',
      );
    }
    throw error;
  }
}

/** Accepts `Bearer <token>` and, for older clients, the bare token. */
export function tokenFromAuthorizationHeader(header: string | undefined): string {
  const value = header?.trim() ?? '';
  if (value === '') throw new UnauthorizedError('The Authorization header is missing.');
  const match = /^bearer\s+(.+)$/i.exec(value);
  const token = (match ? match[1] : value)?.trim() ?? '';
  if (token === '' || /\s/.test(token))
    throw new UnauthorizedError('The Authorization header is not a token.');
  return token;
}
