/**
 * A function that verifies or publishes access tokens cannot work without TOKEN_JWKS: it must fail its cold
 * start naming the variable, not answer every request with a 500. Each case loads the modules afresh in an
 * environment without it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.resetModules();
  vi.stubEnv('TABLE_NAME', 'unit-test-table');
  vi.stubEnv('TOKEN_JWKS', undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('TOKEN_JWKS at load', () => {
  it('fails the load of an authenticated route without it, naming it', async () => {
    await expect(import('../../functions/http/get-me')).rejects.toThrow(
      /^Invalid configuration: TOKEN_JWKS must be set/,
    );
  });

  it('fails the load of the JWKS route without it, naming it', async () => {
    await expect(import('../../functions/http/jwks')).rejects.toThrow(
      /^Invalid configuration: TOKEN_JWKS must be set/,
    );
  });

  it('loads a public route that verifies no token without it', async () => {
    await expect(import('../../functions/http/health')).resolves.toHaveProperty('handler');
  });
});
