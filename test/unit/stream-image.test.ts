import type { AttributeValue } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../functions/shared/data/stream-image';

describe('reading a stream image', () => {
  it('reads every attribute type as the document client would', () => {
    const image: Record<string, AttributeValue> = {
      s: { S: 'text' },
      n: { N: '42.5' },
      yes: { BOOL: true },
      nothing: { NULL: true },
      list: { L: [{ S: 'a' }, { N: '1' }] },
      map: { M: { inner: { S: 'x' } } },
      strings: { SS: ['a', 'b'] },
    };

    expect(readImage(image)).toEqual({
      s: 'text',
      n: 42.5,
      yes: true,
      nothing: null,
      list: ['a', 1],
      map: { inner: 'x' },
      strings: new Set(['a', 'b']),
    });
  });

  it('reads a value without a type (DynamoDB Local’s empty map in stream images) as an empty object', () => {
    // What DynamoDB Local 3.x returns for {"M":{"b":{"M":{}}}} and {"L":[{"M":{}}]}.
    const image = JSON.parse('{"metadata":{"M":{"b":{}}},"list":{"L":[{}]},"empty":{}}');

    expect(readImage(image)).toEqual({ metadata: { b: {} }, list: [{}], empty: {} });
  });

  it('reads numbers beyond 2^53 as numbers, never as a BigInt that JSON cannot serialize', () => {
    const item = readImage({ big: { N: '100000000000000000000' }, tiny: { N: '1E-130' } });

    expect(item).toEqual({ big: 1e20, tiny: 1e-130 });
    expect(() => JSON.stringify(item)).not.toThrow();
  });

  it('keeps a "__proto__" key as data, never as the prototype of the result', () => {
    const image = JSON.parse('{"m":{"M":{"__proto__":{"M":{"polluted":{"BOOL":true}}}}}}');

    const map = readImage(image)?.m as Record<string, unknown>;

    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(map, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('returns undefined when the record has no such image', () => {
    expect(readImage(undefined)).toBeUndefined();
  });
});
