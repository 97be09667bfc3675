/**
 * Limit configuration, read from the environment once at load: the defaults live in the route table; a
 * deployment (the stack, from `-c rateLimits=...` or the stage file) or `npm start` overrides one with
 * `RATE_LIMIT_<NAME>=<limit>` or `<limit>/<windowSeconds>` (e.g. `RATE_LIMIT_SEND_MESSAGE=20/4`), and
 * `RATE_LIMITS=off` turns every limit off (local tooling only). A malformed value fails the cold start.
 */
import type { RouteLimit } from '../route-definition';

import { limitEnvironmentName } from './names';

export { limitEnvironmentName };

export interface LimitOverride {
  limit: number;
  windowSeconds?: number;
}

const OVERRIDE_PATTERN = /^(\d{1,13})(?:\/(\d{1,8}))?$/;

/** Parses `<limit>` or `<limit>/<windowSeconds>`; undefined when malformed. */
export function parseLimitOverride(value: string): LimitOverride | undefined {
  const match = OVERRIDE_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowSeconds = match[2] === undefined ? undefined : Number(match[2]);
  if (limit < 1 || (windowSeconds !== undefined && windowSeconds < 1)) return undefined;
  return { limit, ...(windowSeconds === undefined ? {} : { windowSeconds }) };
}

export interface LimitSettings {
  enabled: boolean;
  /** The limit as configured here: the declared default with this deployment's override applied. */
  effective(limit: RouteLimit): RouteLimit;
}

export function readLimitSettings(env: NodeJS.ProcessEnv): LimitSettings {
  const switchValue = env.RATE_LIMITS ?? 'on';
  if (switchValue !== 'on' && switchValue !== 'off') {
    throw new Error(`Invalid configuration: RATE_LIMITS: must be "on" or "off", not "${switchValue}"`);
  }
  const overrides = new Map<string, LimitOverride>();
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('RATE_LIMIT_') || value === undefined) continue;
    const override = parseLimitOverride(value);
    if (override) overrides.set(name, override);
    else problems.push(`${name}: must be <limit> or <limit>/<windowSeconds> (whole numbers from 1)`);
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return {
    enabled: switchValue === 'on',
    effective: (limit) => ({ ...limit, ...overrides.get(limitEnvironmentName(limit.name)) }),
  };
}

export const limitSettings: LimitSettings = readLimitSettings(process.env);
