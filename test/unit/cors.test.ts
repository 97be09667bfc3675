import { describe, expect, it } from 'vitest';
import { corsResponseHeaders, InvalidOriginError, parseAllowedOrigins } from '../../functions/shared/cors';

describe('CORS policy', () => {
  const allowed = ['https://chat.example.com', 'http://localhost:3003'];

  it('echoes an allowed origin back, with the headers a page may read', () => {
    expect(corsResponseHeaders('https://chat.example.com', allowed)).toEqual({
      'access-control-allow-origin': 'https://chat.example.com',
      'access-control-expose-headers': 'location,retry-after,www-authenticate,ratelimit,ratelimit-policy',
      vary: 'origin',
    });
  });

  it('gives a refused origin no access-control header (the browser keeps the answer from the page)', () => {
    for (const origin of [
      'https://evil.example',
      'https://chat.example.com.evil.example',
      'http://chat.example.com',
      'null',
    ]) {
      expect(corsResponseHeaders(origin, allowed)).toEqual({ vary: 'origin' });
    }
  });

  it('adds nothing to requests without an Origin (curl, servers)', () => {
    expect(corsResponseHeaders(undefined, allowed)).toEqual({});
  });

  it('parses a comma-separated list of origins and ignores blanks', () => {
    expect(parseAllowedOrigins(' https://a.example ,http://localhost:5173,, ')).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(parseAllowedOrigins(undefined)).toEqual([]);
  });

  it('refuses "*", paths and anything else that is not exactly an origin', () => {
    for (const value of [
      '*',
      'https://a.example/',
      'https://a.example/app',
      'a.example',
      'ftp://a.example',
      'https://*.example.com',
    ]) {
      expect(() => parseAllowedOrigins(value), value).toThrow(InvalidOriginError);
    }
  });
});
