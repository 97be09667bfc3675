/** The "Limits" table of docs/architecture.md against the limits the route table declares. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_LIMIT, limitsOf } from '../../functions/shared/route-definition';
import { routes } from '../../functions/shared/routes';

const doc = readFileSync('docs/architecture.md', 'utf8');
const section = doc.slice(doc.indexOf('## Limits'), doc.indexOf('\n## ', doc.indexOf('## Limits') + 1));
const rows = section
  .split('\n')
  .filter((line) => /^\| `/.test(line))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
const documented = new Map(
  rows.map(([name = '', , value = '', key = '']) => [name.replace(/`/g, ''), { value, key }]),
);

const KEYS = { user: 'user', ip: 'client IP', account: 'account (lower-cased username)' } as const;

describe('docs/architecture.md "Limits"', () => {
  it('documents the default per-route limit as the code defines it', () => {
    expect(documented.get('<route name>')).toEqual({
      value: `${DEFAULT_USER_LIMIT.limit} per ${DEFAULT_USER_LIMIT.windowSeconds} s`,
      key: 'user',
    });
  });

  const declared = new Map(
    routes.flatMap((route) => (route.limits ?? []).map((limit) => [limit.name, limit] as const)),
  );
  it.each([...declared.values()].map((limit) => [limit.name, limit] as const))(
    'documents %s with its default and key',
    (name, limit) => {
      const value =
        limit.unit === 'pending'
          ? `${limit.limit} at once`
          : `${limit.limit}${limit.unit === 'bytes' ? ' bytes' : ''} per ${limit.windowSeconds} s`;
      expect(documented.get(name)).toEqual({ value, key: KEYS[limit.key] });
    },
  );

  it('documents no limit the code does not have', () => {
    expect([...documented.keys()].sort()).toEqual(['<route name>', ...declared.keys()].sort());
  });

  it('gives every authenticated route a limit counted on every call', () => {
    for (const route of routes.filter((one) => one.auth === 'user')) {
      expect(limitsOf(route).some((limit) => (limit.countedBy ?? 'pipeline') === 'pipeline')).toBe(true);
    }
  });
});
