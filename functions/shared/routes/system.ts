/** The system routes: liveness and the API's own description. */
import { defineRoute } from '../route-definition';
import { healthResponseSchema } from '../schemas/health';

export const health = /* @__PURE__ */ defineRoute({
  name: 'health',
  method: 'GET',
  path: '/health',
  auth: 'public',
  summary: 'Liveness check',
  tag: 'System',
  response: { status: 200, schema: healthResponseSchema, description: 'The API is up' },
  access: { table: [], signingKey: false },
});

export const openApi = /* @__PURE__ */ defineRoute({
  name: 'openapi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'public',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'System',
  response: { status: 200, description: 'The OpenAPI document' },
  access: { table: [], signingKey: false },
  buildConstants: ['OPENAPI_DOCUMENT_BROTLI'],
});
