import { describe, expect, it, vi } from 'vitest';

// config.ts also reads process.env once at load; give it a valid environment so the import itself succeeds.
vi.hoisted(() => {
  process.env.TABLE_NAME ??= 'unit-test-table';
});

import { readConfig } from '../../functions/shared/config';

describe('readConfig', () => {
  it('fails fast with a message naming TABLE_NAME when it is missing', () => {
    const env = { TOKEN_SIGNING_KEY_FILE: '/tmp/key' };

    const read = () => readConfig(env);

    expect(read).toThrow(/^Invalid configuration: .*TABLE_NAME/);
  });

  it('fails fast when TABLE_NAME is set but empty', () => {
    expect(() => readConfig({ TABLE_NAME: '' })).toThrow(/TABLE_NAME/);
  });

  it('names a malformed DYNAMODB_ENDPOINT', () => {
    expect(() => readConfig({ TABLE_NAME: 't', DYNAMODB_ENDPOINT: 'not a url' })).toThrow(
      /DYNAMODB_ENDPOINT/,
    );
  });

  it('names a token lifetime that is not a positive whole number', () => {
    expect(() => readConfig({ TABLE_NAME: 't', ACCESS_TOKEN_TTL_SECONDS: 'soon' })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS/,
    );
    expect(() => readConfig({ TABLE_NAME: 't', REFRESH_TOKEN_TTL_SECONDS: '-5' })).toThrow(
      /REFRESH_TOKEN_TTL_SECONDS/,
    );
  });

  it('names every missing or malformed variable at once', () => {
    expect(() => readConfig({ ACCESS_TOKEN_TTL_SECONDS: 'soon' })).toThrow(
      /TABLE_NAME.*ACCESS_TOKEN_TTL_SECONDS|ACCESS_TOKEN_TTL_SECONDS.*TABLE_NAME/,
    );
  });

  it('reads a local configuration with the signing key in a file and default token lifetimes', () => {
    const config = readConfig({
      TABLE_NAME: 'chat',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      TOKEN_SIGNING_KEY_FILE: '/data/secrets/key',
    });

    expect(config).toMatchObject({
      tableName: 'chat',
      dynamoEndpoint: 'http://127.0.0.1:8000',
      signingKeySource: { kind: 'file', path: '/data/secrets/key' },
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 24 * 3600,
    });
  });

  it('leaves the signing key source undefined when neither a secret nor a key file is configured', () => {
    const config = readConfig({ TABLE_NAME: 'chat' });

    expect(config.signingKeySource).toBeUndefined();
  });

  it('prefers the Secrets Manager secret over a key file and reads lifetimes as numbers', () => {
    const config = readConfig({
      TABLE_NAME: 'chat',
      TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-key',
      TOKEN_SIGNING_KEY_FILE: '/data/secrets/key',
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_SECONDS: '3600',
    });

    expect(config.signingKeySource).toEqual({
      kind: 'secretsManager',
      secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-key',
    });
    expect(config.accessTokenTtlSeconds).toBe(60);
    expect(config.refreshTokenTtlSeconds).toBe(3600);
    expect(config.dynamoEndpoint).toBeUndefined();
  });
});
