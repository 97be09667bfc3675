import { describe, expect, it, vi } from 'vitest';

// access-tokens.ts reads its configuration at load; only the header parser is exercised here.
vi.hoisted(() => {
  process.env.TABLE_NAME ??= 'unit-test-table';
});

import { tokenFromAuthorizationHeader } from '../../functions/shared/auth/access-tokens';
import { UnauthorizedError } from '../../functions/shared/errors';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

describe('tokenFromAuthorizationHeader', () => {
  it.each([
    ['a Bearer header', `Bearer ${TOKEN}`],
    ['a lower-case scheme', `bearer ${TOKEN}`],
    ['an upper-case scheme', `BEARER ${TOKEN}`],
    ['several spaces after the scheme', `Bearer    ${TOKEN}`],
    ['a tab after the scheme', `Bearer\t${TOKEN}`],
    ['surrounding whitespace', `  Bearer ${TOKEN}  `],
    ['the bare token of older clients', TOKEN],
    ['a bare token with surrounding whitespace', ` ${TOKEN} `],
  ])('extracts the token from %s', (_name, header) => {
    expect(tokenFromAuthorizationHeader(header)).toBe(TOKEN);
  });

  it.each([
    ['a missing header', undefined, 'The Authorization header is missing.'],
    ['an empty header', '', 'The Authorization header is missing.'],
    ['a header of only whitespace', '   ', 'The Authorization header is missing.'],
    ['another scheme', `Basic ${TOKEN}`, 'The Authorization header is not a token.'],
    ['a token containing a space', `Bearer ${TOKEN} extra`, 'The Authorization header is not a token.'],
  ])('rejects %s with an UnauthorizedError', (_name, header, message) => {
    const parse = () => tokenFromAuthorizationHeader(header);

    expect(parse).toThrow(UnauthorizedError);
    expect(parse).toThrow(message);
  });
});
