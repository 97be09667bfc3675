/**
 * Stages: one app, one settings file per stage (`stages/<stage>.json`), chosen with `-c stage=<stage>` (or
 * `npm run deploy -- --stage <stage>`). A few settings can be overridden for one deployment with context
 * (`-c alarmEmail=...`, `-c regions=a,b`, `-c domainName=... -c hostedZoneId=... -c hostedZoneName=...`,
 * `-c maxGroupMembers=...`, `-c allowedOrigins=https://a,https://b`, `-c tokenKeyGeneration=N`,
 * `-c createApiGatewayLoggingRole=true`). Read once, validated, failing with a message that names the field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { InvalidOriginError, parseAllowedOrigins } from '../functions/shared/cors';

export const STAGES_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'stages');

/** The retention periods CloudWatch Logs offers. */
const RETENTION_DAYS = Object.values(logs.RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days > 0,
);

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as eu-west-1');

const settingsSchema = z.strictObject({
  description: z.string().optional(),
  /** The account the stage lives in; `cdk deploy` refuses another. Default: the deployer's. */
  account: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit account id')
    .nullish(),
  /**
   * The regions the stage runs in, the first being home (the table's primary replica, media, and the
   * operations pinned to one region; docs/global.md). Empty: the deployer's default region only.
   */
  regions: z.array(region).default([]),
  /** `destroy` is honoured for the stage named `dev` only; every other stage keeps its data. */
  removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
  logRetentionDays: z
    .number()
    .refine((days) => RETENTION_DAYS.includes(days), `must be one of ${RETENTION_DAYS.join(', ')}`)
    .default(30),
  /** Where alarms are emailed (an SNS subscription to confirm once). */
  alarmEmail: z.email().nullish(),
  /** A custom domain for the APIs, in a Route 53 hosted zone of the account (docs/global.md). */
  domainName: z.string().min(3).nullish(),
  hostedZoneId: z.string().min(3).nullish(),
  hostedZoneName: z.string().min(3).nullish(),
  /**
   * Origins whose pages may call the API (CORS) besides the web app's own, e.g. a custom domain serving the
   * web app, or `http://localhost:5173` on a development stage. Never `*`.
   */
  allowedOrigins: z
    .array(z.string())
    .default([])
    .superRefine((origins, context) => {
      try {
        parseAllowedOrigins(origins.join(','));
      } catch (error) {
        if (!(error instanceof InvalidOriginError)) throw error;
        context.addIssue({ code: 'custom', message: error.message });
      }
    }),
  /**
   * The access-token signing key generation: raise it by one to rotate the keys (docs/architecture.md,
   * "Signing keys"). Kept here so the stage's deploys agree; `-c tokenKeyGeneration=N` for one deploy.
   */
  tokenKeyGeneration: z.number().int().min(1).default(1),
  /** The account-wide API Gateway logging role: create it only where the account has none yet. */
  createApiGatewayLoggingRole: z.boolean().default(false),
  limits: z
    .strictObject({
      maxGroupMembers: z.number().int().min(2).max(10_000).default(256),
      httpRateLimit: z.number().int().positive().default(200),
      httpBurstLimit: z.number().int().positive().default(400),
      webSocketRateLimit: z.number().int().positive().default(500),
      webSocketBurstLimit: z.number().int().positive().default(1000),
    })
    .prefault({}),
});

export type StageFile = z.output<typeof settingsSchema>;

export interface StageSettings extends Omit<StageFile, 'removalPolicy'> {
  stage: string;
  removalPolicy: RemovalPolicy;
  logRetention: logs.RetentionDays;
}

export function knownStages(directory = STAGES_DIRECTORY): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

type Context = (key: string) => unknown;

const listFrom = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : Array.isArray(value)
      ? value.map(String)
      : undefined;

/** The stage's settings file, then the context overrides of this deployment, validated together. */
export function loadStageSettings(
  stage: string,
  context: Context = () => undefined,
  directory = STAGES_DIRECTORY,
) {
  const stages = knownStages(directory);
  if (!stages.includes(stage)) {
    throw new Error(
      `Unknown stage "${stage}": add stages/${stage}.json, or use one of ${stages.join(', ')}.`,
    );
  }
  const file = JSON.parse(readFileSync(join(directory, `${stage}.json`), 'utf8')) as Record<string, unknown>;
  const limits = (file.limits ?? {}) as Record<string, unknown>;
  // An empty value (e.g. an unset CI variable) overrides nothing.
  const given = (key: string) => {
    const value = context(key);
    return value === undefined || value === '' ? undefined : value;
  };
  const overrides = {
    ...(given('alarmEmail') !== undefined ? { alarmEmail: given('alarmEmail') } : {}),
    ...(given('regions') !== undefined ? { regions: listFrom(given('regions')) } : {}),
    ...(given('domainName') !== undefined ? { domainName: given('domainName') } : {}),
    ...(given('hostedZoneId') !== undefined ? { hostedZoneId: given('hostedZoneId') } : {}),
    ...(given('hostedZoneName') !== undefined ? { hostedZoneName: given('hostedZoneName') } : {}),
    ...(given('allowedOrigins') !== undefined ? { allowedOrigins: listFrom(given('allowedOrigins')) } : {}),
    ...(given('tokenKeyGeneration') !== undefined
      ? { tokenKeyGeneration: Number(given('tokenKeyGeneration')) }
      : {}),
    ...(given('createApiGatewayLoggingRole') !== undefined
      ? { createApiGatewayLoggingRole: String(given('createApiGatewayLoggingRole')) === 'true' }
      : {}),
    limits: {
      ...limits,
      ...(given('maxGroupMembers') !== undefined
        ? { maxGroupMembers: Number(given('maxGroupMembers')) }
        : {}),
    },
  };
  const parsed = settingsSchema.safeParse({ ...file, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid settings for stage "${stage}" (stages/${stage}.json): ${problems.join('; ')}`);
  }
  const settings = parsed.data;
  if (settings.domainName && !(settings.hostedZoneName && settings.hostedZoneId)) {
    throw new Error(
      `Stage "${stage}": domainName needs hostedZoneId and hostedZoneName (the Route 53 zone it belongs to).`,
    );
  }
  if (new Set(settings.regions).size !== settings.regions.length) {
    throw new Error(`Stage "${stage}": a region is listed twice in regions.`);
  }
  return {
    ...settings,
    stage,
    // Data outlives the stack everywhere but in the stage explicitly named dev.
    removalPolicy:
      stage === 'dev' && settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    logRetention: settings.logRetentionDays as logs.RetentionDays,
  } satisfies StageSettings;
}
