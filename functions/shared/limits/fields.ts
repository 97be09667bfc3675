/**
 * The IETF httpapi rate-limit draft's response fields (draft-ietf-httpapi-ratelimit-headers-10/11):
 * `RateLimit-Policy: "name";q=<quota>;w=<window seconds>` and `RateLimit: "name";r=<remaining>;t=<reset seconds>`.
 */
import type { RouteLimit } from '../route-definition';

export interface LimitSubjects {
  /** The verified caller, for `key: 'user'`. */
  user?: string;
  /** API Gateway's `sourceIp`, for `key: 'ip'`. */
  ip?: string;
}

/** What a taken limit can give back: a login attempt that turned out not to be a failure. */
export interface Reservation {
  release(): Promise<void>;
}

/** One request's limits, as the pipeline and the route's own code use them (implemented by `Limiter`). */
export interface RequestLimits {
  /** Counts the route's `pipeline` limits; throws TooManyRequestsError if any is exhausted. */
  takePipelineLimits(): Promise<void>;
  /** Counts against the route's limit `name`; throws TooManyRequestsError when that would pass it. */
  take(name: string, options?: { subject?: string; amount?: number }): Promise<Reservation>;
  /** The limit as configured, or undefined when limits are off: for quotas counted elsewhere. */
  configured(name: string): RouteLimit | undefined;
  /** Notes a quota counted elsewhere for the response fields; `refused` throws the 429 for it. */
  report(outcome: LimitOutcome, refused?: { detail: string }): void;
  headers(): Record<string, string>;
}

export interface LimitOutcome {
  limit: RouteLimit;
  remaining: number;
  /** Seconds until the window ends and the counter starts again. */
  resetSeconds: number;
}

const QUOTA_UNITS: Partial<Record<NonNullable<RouteLimit['unit']>, string>> = {
  bytes: 'content-bytes',
};

export function rateLimitHeaders(outcomes: readonly LimitOutcome[]): Record<string, string> {
  if (outcomes.length === 0) return {};
  const unit = (limit: RouteLimit) => {
    const name = limit.unit && QUOTA_UNITS[limit.unit];
    return name ? `;qu="${name}"` : '';
  };
  return {
    'ratelimit-policy': outcomes
      .map(({ limit }) => `"${limit.name}";q=${limit.limit};w=${limit.windowSeconds}${unit(limit)}`)
      .join(', '),
    ratelimit: outcomes
      .map(({ limit, remaining, resetSeconds }) => `"${limit.name}";r=${remaining};t=${resetSeconds}`)
      .join(', '),
  };
}
