import * as v from 'valibot';
import { defineSchema } from './define';

export const jwkSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      kty: v.literal('EC'),
      crv: v.literal('P-256'),
      x: v.string(),
      y: v.string(),
      kid: v.pipe(v.string(), v.description('Matches the `kid` header of the tokens this key verifies')),
      alg: v.literal('ES256'),
      use: v.literal('sig'),
    }),
    v.metadata({ id: 'Jwk', description: 'A P-256 public key (RFC 7517, RFC 7518)' }),
  ),
);

export const jwksSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(v.object({ keys: v.array(jwkSchema) }), v.metadata({ id: 'Jwks' })),
);
