import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { knownStages, loadStageSettings } from '../../lib/stages';

function stagesDirectory(files: Record<string, unknown>): string {
  const directory = mkdtempSync(join(tmpdir(), 'stages-'));
  for (const [stage, settings] of Object.entries(files)) {
    writeFileSync(join(directory, `${stage}.json`), JSON.stringify(settings));
  }
  return directory;
}

describe('stage settings', () => {
  it('ships dev, staging and prod', () => {
    expect(knownStages()).toEqual(['dev', 'prod', 'staging']);
    for (const stage of knownStages()) expect(() => loadStageSettings(stage)).not.toThrow();
  });

  it('destroys data with the stack only for the stage named dev, whatever another stage’s file says', () => {
    const directory = stagesDirectory({
      dev: { removalPolicy: 'destroy' },
      staging: { removalPolicy: 'destroy' },
      other: {},
    });

    expect(loadStageSettings('dev', undefined, directory).removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(loadStageSettings('staging', undefined, directory).removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(loadStageSettings('other', undefined, directory).removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  it('takes overrides from context: alarm email, regions, limits, the logging role', () => {
    const context: Record<string, string> = {
      alarmEmail: 'ops@example.com',
      regions: 'us-east-1, eu-west-1,ap-southeast-1',
      maxGroupMembers: '500',
      createApiGatewayLoggingRole: 'true',
    };

    const settings = loadStageSettings('prod', (key) => context[key]);

    expect(settings).toMatchObject({
      alarmEmail: 'ops@example.com',
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      createApiGatewayLoggingRole: true,
      limits: { maxGroupMembers: 500, httpRateLimit: 200 },
    });
  });

  it('takes CORS origins and the token key generation from the stage file, and from context over it', () => {
    const directory = stagesDirectory({
      web: { allowedOrigins: ['https://chat.example.com'], tokenKeyGeneration: 3 },
    });
    const context: Record<string, string> = {
      allowedOrigins: 'https://a.example, http://localhost:5173',
      tokenKeyGeneration: '4',
    };

    const fromFile = loadStageSettings('web', undefined, directory);
    const overridden = loadStageSettings('web', (key) => context[key], directory);

    expect(fromFile).toMatchObject({ allowedOrigins: ['https://chat.example.com'], tokenKeyGeneration: 3 });
    expect(overridden).toMatchObject({
      allowedOrigins: ['https://a.example', 'http://localhost:5173'],
      tokenKeyGeneration: 4,
    });
    expect(loadStageSettings('prod')).toMatchObject({ allowedOrigins: [], tokenKeyGeneration: 1 });
  });

  it('refuses a CORS origin that is not exactly an origin, and a key generation below 1', () => {
    const wildcard = (key: string) => (key === 'allowedOrigins' ? '*' : undefined);
    const withPath = (key: string) => (key === 'allowedOrigins' ? 'https://a.example/app' : undefined);
    const zero = (key: string) => (key === 'tokenKeyGeneration' ? '0' : undefined);

    expect(() => loadStageSettings('prod', wildcard)).toThrow(/allowedOrigins: "\*" is not an origin/);
    expect(() => loadStageSettings('prod', withPath)).toThrow(/allowedOrigins: .*is not an origin/);
    expect(() => loadStageSettings('prod', zero)).toThrow(/tokenKeyGeneration/);
  });

  it('ignores an empty override, as an unset CI variable gives', () => {
    expect(loadStageSettings('prod', (key) => (key === 'alarmEmail' ? '' : undefined)).alarmEmail).toBeNull();
  });

  it('names the field and the file of a setting that is not valid', () => {
    const directory = stagesDirectory({ bad: { logRetentionDays: 8, alarmEmail: 'not an email' } });

    expect(() => loadStageSettings('bad', undefined, directory)).toThrow(
      /stages\/bad\.json.*logRetentionDays: must be one of .*alarmEmail/,
    );
    expect(() => loadStageSettings('prod', (key) => (key === 'regions' ? 'moon-1' : undefined))).toThrow(
      /regions\.0: must be a region/,
    );
  });

  it('refuses a custom domain without the hosted zone it belongs to', () => {
    expect(() =>
      loadStageSettings('prod', (key) => (key === 'domainName' ? 'chat.example.com' : undefined)),
    ).toThrow(/hostedZoneId and hostedZoneName/);
    expect(() =>
      loadStageSettings('prod', (key) => (key === 'regions' ? 'eu-west-1,eu-west-1' : undefined)),
    ).toThrow(/listed twice/);
  });
});
