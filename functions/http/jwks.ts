/**
 * GET /.well-known/jwks.json: the public keys that verify access tokens, from the function's environment (no
 * AWS call). Clients and other services may cache it; a token whose `kid` they do not know means: fetch again.
 */
import { config } from '../shared/config';
import { plainHttpHandler } from '../shared/http/pipeline';
import { jwks as route } from '../shared/routes/system';

const jwks = config.tokenJwks;
// At load: without its one input this function must not start (a cold-start failure names the variable).
if (!jwks) throw new Error('Invalid configuration: TOKEN_JWKS must be set');

export const handler = plainHttpHandler(route, async () => ({
  body: jwks,
  headers: { 'cache-control': 'public, max-age=300' },
}));
