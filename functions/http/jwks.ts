/**
 * GET /.well-known/jwks.json: the public keys that verify access tokens, from the function's environment (no
 * AWS call). Clients and other services may cache it; a token whose `kid` they do not know means: fetch again.
 */
import { config } from '../shared/config';
import { plainHttpHandler } from '../shared/http/pipeline';
import { jwks as route } from '../shared/routes/system';

export const handler = plainHttpHandler(route, async () => {
  if (!config.tokenJwks) throw new Error('Invalid configuration: TOKEN_JWKS must be set');
  return { body: config.tokenJwks, headers: { 'cache-control': 'public, max-age=300' } };
});
