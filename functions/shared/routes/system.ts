/** The system routes: liveness, the API's own description, and the keys that verify its tokens. */
import { defineRoute } from '../route-definition';
import { healthResponseSchema } from '../schemas/health';
import { jwksSchema } from '../schemas/keys';

export const health = /* @__PURE__ */ defineRoute({
  name: 'health',
  method: 'GET',
  path: '/health',
  auth: 'public',
  summary: 'Liveness check',
  tag: 'System',
  response: { status: 200, schema: healthResponseSchema, description: 'The API is up' },
  access: { table: [] },
});

export const openApi = /* @__PURE__ */ defineRoute({
  name: 'openapi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'public',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'System',
  response: { status: 200, description: 'The OpenAPI document' },
  access: { table: [] },
  buildConstants: ['OPENAPI_DOCUMENT_BROTLI'],
});

export const jwks = /* @__PURE__ */ defineRoute({
  name: 'jwks',
  method: 'GET',
  path: '/.well-known/jwks.json',
  auth: 'public',
  summary: 'The public keys that verify access tokens (current, next and previous; see `kid`)',
  tag: 'System',
  response: { status: 200, schema: jwksSchema, description: 'A JSON Web Key Set (RFC 7517)' },
  access: { table: [], tokenKeys: 'publish' },
});
