import type { GenericSchema } from 'valibot';

/**
 * A value computed when the function is built and embedded in its bundle (see lib/bundling.ts), e.g. the
 * OpenAPI document, compressed: work done once per deploy instead of once per cold start.
 */
export type BuildConstant = 'OPENAPI_DOCUMENT_BROTLI';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The DynamoDB actions a function may call on the table (and its indexes); the stack grants exactly these. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchWriteItem';

/**
 * A limit on how often something may happen, counted in the table (fixed windows, functions/shared/limits).
 * Its name keys the counter, the configuration (`RATE_LIMIT_<NAME>` locally, `-c rateLimits=...` on AWS) and
 * the policy named in the `RateLimit` / `RateLimit-Policy` response fields.
 */
export interface RouteLimit {
  name: string;
  /**
   * Whose calls are counted: `user` the verified caller, `ip` API Gateway's `sourceIp` (never a header a
   * client can forge), `account` a name the domain supplies (the lower-cased username of a login).
   */
  key: 'user' | 'ip' | 'account';
  limit: number;
  windowSeconds: number;
  /**
   * `pipeline` (default): every call counts, before the route's work. `domain`: only what the limit is about
   * counts (a new group, a failed login, an upload's bytes), taken by the route's own code.
   */
  countedBy?: 'pipeline' | 'domain';
  /** What one unit is, for the docs and the `RateLimit-Policy` quota unit; default a request. */
  unit?: 'requests' | 'bytes' | 'pending';
}

/** Every `auth: 'user'` route without a pipeline limit of its own gets this one (Stream's published limit). */
export const DEFAULT_USER_LIMIT = { limit: 60, windowSeconds: 60 } as const;

export interface RouteDefinition {
  /** Kebab-case; names the Lambda function and its entry file `functions/http/<name>.ts`. */
  name: string;
  method: HttpMethod;
  /** API Gateway path syntax: `/users/{id}`. */
  path: string;
  /** Older paths served by the same function (kept for existing clients; documented as deprecated). */
  aliases?: readonly string[];
  /**
   * `user`: a valid access token is required and identifies the caller; the function gets the public keys
   * that verify it (TOKEN_JWKS).
   */
  auth: 'public' | 'user';
  summary: string;
  tag: string;
  request?: { body?: GenericSchema; query?: GenericSchema; params?: GenericSchema };
  /** The success response; its schema also filters what is sent (fields it does not name are dropped). */
  response: { status: number; schema?: GenericSchema; description: string };
  /** Other success statuses the route answers with the same body (e.g. 200 for a retried create). */
  alsoReturns?: readonly { status: number; description: string }[];
  /**
   * Error statuses this route can answer, for the OpenAPI document. Implied: 400, 429, 500 and 503 for
   * every route, 401 for `auth: 'user'`, 413 and 415 for routes with a body.
   */
  errors?: readonly number[];
  access: {
    table: readonly TableAction[];
    /**
     * Access-token keys beyond verification: `sign` reads the private signing key (login and refresh, and
     * only they); `publish` gets the public keys without requiring a user (the JWKS route).
     */
    tokenKeys?: 'sign' | 'publish';
    /** Signs CloudFront URLs for private media (reads the CDN private key). */
    cdnSigningKey?: boolean;
    /** Presigns uploads into the media bucket (s3:PutObject under the upload prefixes). */
    presignUploads?: boolean;
    /** Presigns downloads of data exports (s3:GetObject under `exports/`). */
    presignExportDownloads?: boolean;
  };
  /**
   * Rate limits and quotas (functions/shared/limits). An `auth: 'user'` route declaring no `pipeline` limit
   * gets the default, named after the route: `DEFAULT_USER_LIMIT` per user.
   */
  limits?: readonly RouteLimit[];
  /**
   * API Gateway's own throttle for this route, across all clients (requests per second, burst): sheds a
   * flood before any function runs. Every route also shares the stage-wide throttle.
   */
  gatewayThrottle?: { rateLimit: number; burstLimit: number };
  /** Lambda memory (and so CPU); password hashing wants more than the default 512 MB. */
  memoryMb?: number;
  /** Values embedded in the bundle at build time (the handler reads them as globals of the same name). */
  buildConstants?: readonly BuildConstant[];
}

export const defineRoute = <const R extends RouteDefinition>(route: R): R => route;

export const routeKeys = (route: RouteDefinition): string[] =>
  [route.path, ...(route.aliases ?? [])].map((path) => `${route.method} ${path}`);

/** The limits a route applies, the default one included. */
export function limitsOf(route: RouteDefinition): readonly RouteLimit[] {
  const declared = route.limits ?? [];
  const pipeline = declared.some((limit) => (limit.countedBy ?? 'pipeline') === 'pipeline');
  if (route.auth !== 'user' || pipeline) return declared;
  return [{ name: route.name, key: 'user', ...DEFAULT_USER_LIMIT }, ...declared];
}
