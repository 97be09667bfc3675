/** CORS for browser clients, applied by API Gateway on AWS and by the local gateway alike. */
export const corsPolicy = {
  allowOrigins: ['*'],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  exposeHeaders: ['location', 'retry-after', 'www-authenticate'],
  maxAgeSeconds: 600,
} as const;
