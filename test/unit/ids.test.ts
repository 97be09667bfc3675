import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { isUlid } from '../../functions/shared/domain/cursors';
import { ulid } from '../../functions/shared/domain/ids';

describe('ulid', () => {
  it('makes 26-character Crockford base32 ids that the ulid package reads back with the same time', () => {
    const time = Date.UTC(2026, 10, 22, 6, 30, 0, 123);

    const id = ulid(time);

    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isValid(id)).toBe(true);
    expect(isUlid(id)).toBe(true);
    expect(decodeTime(id)).toBe(time);
  });

  it('sorts ids by their time, and makes different ids within the same millisecond', () => {
    const ids = [0, 1, 31, 32, 1_000_000, Date.now(), 2 ** 48 - 1].map((time) => ulid(time));
    const sameMillisecond = new Set(Array.from({ length: 1000 }, () => ulid(1_700_000_000_000)));

    expect([...ids].sort()).toEqual(ids);
    expect(sameMillisecond.size).toBe(1000);
  });

  it('refuses a time a ULID cannot hold', () => {
    expect(() => ulid(-1)).toThrow();
    expect(() => ulid(2 ** 48)).toThrow();
    expect(() => ulid(1.5)).toThrow();
  });
});
