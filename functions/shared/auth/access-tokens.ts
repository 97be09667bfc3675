/** Short-lived access tokens: HS256 JWTs whose `sub` is the user id. */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { config } from '../config';
import { UnauthorizedError } from '../errors';
import { signingKey } from './signing-key';

const ISSUER = 'chat-backend';
const AUDIENCE = 'chat-api';

export async function issueAccessToken(userId: string): Promise<{ token: string; expiresIn: number }> {
  const expiresIn = config.accessTokenTtlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${expiresIn}s`)
    .sign(await signingKey());
  return { token, expiresIn };
}

/** Returns the user id of a valid token; any invalid, expired or tampered token is an UnauthorizedError. */
export async function verifyAccessToken(token: string): Promise<string> {
  const key = await signingKey();
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw new UnauthorizedError('The token has no subject.');
    return payload.sub;
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('The access token has expired.');
    if (error instanceof joseErrors.JOSEError) throw new UnauthorizedError('The access token is not valid.');
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
