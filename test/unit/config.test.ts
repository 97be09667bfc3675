import { describe, expect, it, vi } from 'vitest';

// config.ts also reads process.env once at load; give it a valid environment so the import itself succeeds.
vi.hoisted(() => {
  process.env.TABLE_NAME ??= 'unit-test-table';
});

import { newSigningKey, publicPart } from '../../functions/shared/auth/token-keys';
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

  it('reads a local configuration with the signing key set in a file and default token lifetimes', () => {
    const config = readConfig({
      TABLE_NAME: 'chat',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      TOKEN_SIGNING_KEY_FILE: '/data/secrets/token-signing-keys.json',
    });

    expect(config).toMatchObject({
      tableName: 'chat',
      dynamoEndpoint: 'http://127.0.0.1:8000',
      tokenSigningKey: { kind: 'file', path: '/data/secrets/token-signing-keys.json' },
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 24 * 3600,
    });
  });

  it('defaults to 90-day sessions and scrypt at N = 2^17 when nothing overrides them', () => {
    const config = readConfig({ TABLE_NAME: 'chat' });

    expect(config.sessionMaxAgeSeconds).toBe(90 * 24 * 3600);
    expect(config.passwordHashLogN).toBe(17);
  });

  it('debounces presence announcements to one per user every 30 s unless PRESENCE_NOTICE_INTERVAL_SECONDS says otherwise', () => {
    expect(readConfig({ TABLE_NAME: 'chat' }).presenceNoticeIntervalSeconds).toBe(30);
    expect(
      readConfig({ TABLE_NAME: 'chat', PRESENCE_NOTICE_INTERVAL_SECONDS: '3' }).presenceNoticeIntervalSeconds,
    ).toBe(3);
    expect(() => readConfig({ TABLE_NAME: 'chat', PRESENCE_NOTICE_INTERVAL_SECONDS: '0' })).toThrow(
      /PRESENCE_NOTICE_INTERVAL_SECONDS/,
    );
  });

  it('reads the presence recheck queue (AWS only) and refuses one that is not a URL', () => {
    expect(readConfig({ TABLE_NAME: 'chat' }).presenceRecheckQueueUrl).toBeUndefined();
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/rechecks';
    expect(
      readConfig({ TABLE_NAME: 'chat', PRESENCE_RECHECK_QUEUE_URL: queueUrl }).presenceRecheckQueueUrl,
    ).toBe(queueUrl);
    expect(() => readConfig({ TABLE_NAME: 'chat', PRESENCE_RECHECK_QUEUE_URL: 'rechecks' })).toThrow(
      /PRESENCE_RECHECK_QUEUE_URL/,
    );
  });

  it('refuses a scrypt cost above 2^20, which no Lambda could afford per login', () => {
    expect(() => readConfig({ TABLE_NAME: 'chat', PASSWORD_HASH_LOG_N: '21' })).toThrow(
      /PASSWORD_HASH_LOG_N/,
    );
  });

  it('leaves the token keys undefined when neither keys nor a key set are configured', () => {
    const config = readConfig({ TABLE_NAME: 'chat' });

    expect(config.tokenSigningKey).toBeUndefined();
    expect(config.tokenJwks).toBeUndefined();
  });

  it('reads the public token keys, keeping only their public members', () => {
    const key = { ...newSigningKey() };
    const config = readConfig({ TABLE_NAME: 'chat', TOKEN_JWKS: JSON.stringify({ keys: [key] }) });

    expect(config.tokenJwks).toEqual({ keys: [publicPart(key)] });
    expect(JSON.stringify(config.tokenJwks)).not.toContain(key.d);
  });

  it.each([
    ['not JSON', 'keys'],
    ['a JWKS without keys', JSON.stringify({ keys: [] })],
    ['an RSA key', JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'k' }] })],
    ['a key without kid', JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] })],
  ])('fails fast naming TOKEN_JWKS when it is %s', (_name, value) => {
    expect(() => readConfig({ TABLE_NAME: 'chat', TOKEN_JWKS: value })).toThrow(
      /^Invalid configuration: TOKEN_JWKS/,
    );
  });

  it('prefers the Secrets Manager secret over a key file and reads lifetimes as numbers', () => {
    const config = readConfig({
      TABLE_NAME: 'chat',
      TOKEN_SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-key',
      TOKEN_SIGNING_KEY_FILE: '/data/secrets/key',
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_SECONDS: '3600',
    });

    expect(config.tokenSigningKey).toEqual({
      kind: 'secretsManager',
      secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-key',
    });
    expect(config.accessTokenTtlSeconds).toBe(60);
    expect(config.refreshTokenTtlSeconds).toBe(3600);
    expect(config.dynamoEndpoint).toBeUndefined();
  });

  it('reads the region and keeps the home region only when it is another region', () => {
    const away = readConfig({ TABLE_NAME: 'chat', AWS_REGION: 'eu-west-1', HOME_REGION: 'us-east-1' });
    const home = readConfig({ TABLE_NAME: 'chat', AWS_REGION: 'us-east-1', HOME_REGION: 'us-east-1' });
    const single = readConfig({ TABLE_NAME: 'chat', AWS_REGION: 'us-east-1' });

    expect(away).toMatchObject({ region: 'eu-west-1', homeRegion: 'us-east-1' });
    expect(home).toMatchObject({ region: 'us-east-1', homeRegion: undefined });
    expect(single).toMatchObject({ region: 'us-east-1', homeRegion: undefined });
  });

  it('reads the media bucket region of a multi-region stage', () => {
    const config = readConfig({
      TABLE_NAME: 'chat',
      MEDIA_BUCKET: 'media',
      MEDIA_BUCKET_REGION: 'us-east-1',
    });

    expect(config.media).toEqual({
      bucket: 'media',
      region: 'us-east-1',
      s3Endpoint: undefined,
      uploadUrlTtlSeconds: 300,
    });
  });

  it('names an empty HOME_REGION or MEDIA_BUCKET_REGION', () => {
    expect(() => readConfig({ TABLE_NAME: 'chat', HOME_REGION: '' })).toThrow(
      /HOME_REGION: must not be empty/,
    );
    expect(() => readConfig({ TABLE_NAME: 'chat', MEDIA_BUCKET_REGION: '' })).toThrow(
      /MEDIA_BUCKET_REGION: must not be empty/,
    );
  });
});
