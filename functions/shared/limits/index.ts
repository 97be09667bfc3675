/**
 * Rate limits and quotas, declared per route in the route table and counted in the table: fixed windows,
 * one conditional UpdateItem per counted call (data/limits-store.ts), so they hold across every Lambda
 * instance and identically under `npm start`. A refused call is a 429 problem with `Retry-After`; every
 * limited answer carries the IETF httpapi draft's `RateLimit-Policy` and `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers: `"name";q=<quota>;w=<window>` and `"name";r=<remaining>;t=<reset>`),
 * so clients can slow down before they are refused.
 */
import { addToCounter, type CounterWindow, subtractFromCounter } from '../data/limits-store';
import { TooManyRequestsError } from '../errors';
import { limitsOf, type RouteDefinition, type RouteLimit } from '../route-definition';
import { type LimitSettings, limitSettings } from './config';
import {
  type LimitOutcome,
  type LimitSubjects,
  type RequestLimits,
  type Reservation,
  rateLimitHeaders,
} from './fields';

export type { LimitOutcome, LimitSubjects, RequestLimits, Reservation };
export { rateLimitHeaders };

const NOTHING_TAKEN: Reservation = { release: async () => undefined };

const UNITS = [
  [86400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
] as const;

/** 900 -> `15 minutes`, 3600 -> `hour`. */
function per(seconds: number): string {
  const [size, name] = UNITS.find(([size]) => seconds % size === 0) ?? [1, 'second'];
  const count = seconds / size;
  return count === 1 ? name : `${count} ${name}s`;
}

/** The limits of one request to one route: takes them, remembers the outcomes for the response fields. */
export class Limiter implements RequestLimits {
  readonly outcomes: LimitOutcome[] = [];

  constructor(
    private readonly route: RouteDefinition,
    private readonly subjects: LimitSubjects,
    private readonly onRefused: (route: RouteDefinition) => void = () => undefined,
    private readonly settings: LimitSettings = limitSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Counts the route's `pipeline` limits, in parallel; throws TooManyRequestsError if any is exhausted. */
  async takePipelineLimits(): Promise<void> {
    const pipeline = limitsOf(this.route).filter((limit) => (limit.countedBy ?? 'pipeline') === 'pipeline');
    const results = await Promise.allSettled(pipeline.map((limit) => this.take(limit.name)));
    const refused = results.find((result) => result.status === 'rejected');
    if (refused) {
      this.onRefused(this.route);
      throw refused.reason;
    }
  }

  /**
   * Counts `amount` against the route's limit `name` for `subject` (default: the caller or the client IP,
   * by the limit's key). Throws TooManyRequestsError when that would pass the limit (nothing is counted).
   */
  async take(name: string, options: { subject?: string; amount?: number } = {}): Promise<Reservation> {
    const declared = limitsOf(this.route).find((limit) => limit.name === name);
    if (!declared) throw new Error(`Route ${this.route.name} declares no limit "${name}"`);
    if (!this.settings.enabled) return NOTHING_TAKEN;
    const limit = this.settings.effective(declared);
    const subject =
      options.subject ??
      (limit.key === 'user' ? this.subjects.user : limit.key === 'ip' ? this.subjects.ip : undefined);
    if (!subject) throw new Error(`No ${limit.key} to count limit "${name}" against`);
    const amount = options.amount ?? 1;
    const now = this.clock().getTime() / 1000;
    const windowStart = Math.floor(now / limit.windowSeconds) * limit.windowSeconds;
    const window: CounterWindow = {
      limit: limit.name,
      subject,
      windowStart,
      expiresAt: windowStart + limit.windowSeconds,
    };
    const resetSeconds = Math.max(1, Math.ceil(windowStart + limit.windowSeconds - now));
    const total = amount > limit.limit ? undefined : await addToCounter(window, amount, limit.limit);
    if (total === undefined) {
      if (declared.countedBy === 'domain') this.onRefused(this.route);
      this.outcomes.push({ limit, remaining: 0, resetSeconds });
      throw new TooManyRequestsError(
        `Limit "${limit.name}" reached: at most ${limit.limit}${limit.unit === 'bytes' ? ' bytes' : ''} per ${per(limit.windowSeconds)}. Retry after ${resetSeconds} seconds.`,
        { 'retry-after': String(resetSeconds), ...rateLimitHeaders(this.outcomes) },
      );
    }
    this.outcomes.push({ limit, remaining: limit.limit - total, resetSeconds });
    return { release: () => subtractFromCounter(window, amount) };
  }

  /** The limit `name` as configured here, or undefined when limits are off: for quotas counted elsewhere. */
  configured(name: string): RouteLimit | undefined {
    const declared = limitsOf(this.route).find((limit) => limit.name === name);
    if (!declared) throw new Error(`Route ${this.route.name} declares no limit "${name}"`);
    return this.settings.enabled ? this.settings.effective(declared) : undefined;
  }

  /** Notes a quota counted elsewhere, for the response fields; `refused` throws the 429 for it. */
  report(outcome: LimitOutcome, refused?: { detail: string }): void {
    this.outcomes.push(outcome);
    if (refused) {
      this.onRefused(this.route);
      throw new TooManyRequestsError(refused.detail, {
        'retry-after': String(outcome.resetSeconds),
        ...rateLimitHeaders(this.outcomes),
      });
    }
  }

  headers(): Record<string, string> {
    return rateLimitHeaders(this.outcomes);
  }
}
