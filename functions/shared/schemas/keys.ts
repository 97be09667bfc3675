import * as z from 'zod/mini';
import { defineSchema } from './define';

export const jwkSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      kty: z.literal('EC'),
      crv: z.literal('P-256'),
      x: z.string(),
      y: z.string(),
      kid: z.string().check(z.describe('Matches the `kid` header of the tokens this key verifies')),
      alg: z.literal('ES256'),
      use: z.literal('sig'),
    })
    .register(z.globalRegistry, { id: 'Jwk', description: 'A P-256 public key (RFC 7517, RFC 7518)' }),
);

export const jwksSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({ keys: z.array(jwkSchema) }).register(z.globalRegistry, { id: 'Jwks' }),
);
