/**
 * CORS for browser clients, applied by API Gateway on AWS (the HTTP API's CORS configuration) and by the local
 * gateway alike. Only listed origins may read responses: the web app's own origin plus origins configured at
 * deploy (`-c allowedOrigins=...`) or locally (`ALLOWED_ORIGINS`). Never `*`.
 */
export const corsPolicy = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  exposeHeaders: ['location', 'retry-after', 'www-authenticate', 'ratelimit', 'ratelimit-policy'],
  maxAgeSeconds: 600,
} as const;

/** `https://app.example.com` or `http://localhost:3003`: a scheme, a host and an optional port, nothing else. */
const ORIGIN_PATTERN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

export class InvalidOriginError extends Error {
  constructor(value: string) {
    super(
      `"${value}" is not an origin: write scheme://host[:port] (e.g. https://chat.example.com), no path, no "*".`,
    );
    this.name = 'InvalidOriginError';
  }
}

/**
 * Parses a comma-separated list of origins (context value or environment variable); fails fast on anything
 * that is not exactly an origin, `*` included, so a typo never silently opens or closes the API.
 */
export function parseAllowedOrigins(value: string | undefined): string[] {
  const origins = (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!ORIGIN_PATTERN.test(origin)) throw new InvalidOriginError(origin);
  }
  return origins;
}

/**
 * The CORS headers for a response to a request from `origin`: the origin echoed back when it is allowed,
 * nothing when it is not (the browser then refuses to hand the response to the page). `Vary: Origin` always,
 * so a shared cache never serves one origin's answer to another.
 */
export function corsResponseHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (!origin) return {};
  if (!allowedOrigins.includes(origin)) return { vary: 'origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': corsPolicy.exposeHeaders.join(','),
    vary: 'origin',
  };
}

/** The extra headers of a preflight answer (only sent when the origin is allowed). */
export const preflightHeaders = (): Record<string, string> => ({
  'access-control-allow-methods': corsPolicy.allowMethods.join(','),
  'access-control-allow-headers': corsPolicy.allowHeaders.join(','),
  'access-control-max-age': String(corsPolicy.maxAgeSeconds),
});
