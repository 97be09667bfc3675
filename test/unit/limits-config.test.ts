/** Limit configuration: overrides by environment, the off switch, and failing fast on a malformed value. */
import { describe, expect, it } from 'vitest';
import {
  limitEnvironmentName,
  parseLimitOverride,
  readLimitSettings,
} from '../../functions/shared/limits/config';
import { rateLimitHeaders } from '../../functions/shared/limits/fields';
import type { RouteLimit } from '../../functions/shared/route-definition';

const sends: RouteLimit = { name: 'send-message', key: 'user', limit: 20, windowSeconds: 4 };

describe('limit settings', () => {
  it('names each limit’s variable after it', () => {
    expect(limitEnvironmentName('failed-logins-by-ip')).toBe('RATE_LIMIT_FAILED_LOGINS_BY_IP');
  });

  it('keeps the declared default without an override, and applies a limit or limit/window override', () => {
    expect(readLimitSettings({}).effective(sends)).toEqual(sends);
    expect(readLimitSettings({ RATE_LIMIT_SEND_MESSAGE: '40' }).effective(sends)).toMatchObject({
      limit: 40,
      windowSeconds: 4,
    });
    expect(readLimitSettings({ RATE_LIMIT_SEND_MESSAGE: '10/2' }).effective(sends)).toMatchObject({
      limit: 10,
      windowSeconds: 2,
    });
  });

  it('is on unless RATE_LIMITS=off', () => {
    expect(readLimitSettings({}).enabled).toBe(true);
    expect(readLimitSettings({ RATE_LIMITS: 'on' }).enabled).toBe(true);
    expect(readLimitSettings({ RATE_LIMITS: 'off' }).enabled).toBe(false);
  });

  it.each(['0', '-1', '10/0', 'ten', '10/', '1.5', '10/4/2'])(
    'rejects the override "%s" at load',
    (value) => {
      expect(parseLimitOverride(value)).toBeUndefined();
      expect(() => readLimitSettings({ RATE_LIMIT_SEND_MESSAGE: value })).toThrow(/RATE_LIMIT_SEND_MESSAGE/);
    },
  );

  it('rejects a switch that is neither on nor off', () => {
    expect(() => readLimitSettings({ RATE_LIMITS: 'false' })).toThrow(/RATE_LIMITS/);
  });
});

describe('RateLimit fields', () => {
  it('writes one member per limit in the draft syntax, with the quota unit for bytes', () => {
    const bytes: RouteLimit = {
      name: 'upload-bytes',
      key: 'user',
      limit: 1000,
      windowSeconds: 86400,
      unit: 'bytes',
    };

    const headers = rateLimitHeaders([
      { limit: sends, remaining: 15, resetSeconds: 3 },
      { limit: bytes, remaining: 400, resetSeconds: 60 },
    ]);

    expect(headers).toEqual({
      'ratelimit-policy': '"send-message";q=20;w=4, "upload-bytes";q=1000;w=86400;qu="content-bytes"',
      ratelimit: '"send-message";r=15;t=3, "upload-bytes";r=400;t=60',
    });
  });
});
