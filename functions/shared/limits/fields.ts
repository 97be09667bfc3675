/**
 * The IETF httpapi rate-limit draft's response fields (draft-ietf-httpapi-ratelimit-headers-10/11):
 * `RateLimit-Policy: "name";q=<quota>;w=<window seconds>` and `RateLimit: "name";r=<remaining>;t=<reset seconds>`.
 */
import type { RouteLimit } from '../route-definition';

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
