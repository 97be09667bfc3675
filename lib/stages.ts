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
import * as v from 'valibot';
import { InvalidOriginError, parseAllowedOrigins } from '../functions/shared/cors';
import { parseLimitOverride } from '../functions/shared/limits/config';
import { strictObject } from '../functions/shared/schemas/json-objects';
import '../functions/shared/validation-messages';

export const STAGES_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'stages');

/** The retention periods CloudWatch Logs offers. */
const RETENTION_DAYS = Object.values(logs.RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days > 0,
);

const region = v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as eu-west-1'));
const positiveInteger = (fallback: number) =>
  v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), fallback);

const settingsSchema = strictObject({
  description: v.optional(v.string()),
  /** The account the stage lives in; `cdk deploy` refuses another. Default: the deployer's. */
  account: v.nullish(v.pipe(v.string(), v.regex(/^\d{12}$/, 'must be a 12-digit account id'))),
  /**
   * The regions the stage runs in, the first being home (the table's primary replica, media, and the
   * operations pinned to one region; docs/global.md). Empty: the deployer's default region only.
   */
  regions: v.optional(v.array(region), () => []),
  /** `destroy` is honoured for the stage named `dev` only; every other stage keeps its data. */
  removalPolicy: v.optional(v.picklist(['retain', 'destroy']), 'retain'),
  logRetentionDays: v.optional(
    v.pipe(
      v.number(),
      v.check((days) => RETENTION_DAYS.includes(days), `must be one of ${RETENTION_DAYS.join(', ')}`),
    ),
    30,
  ),
  /** Where alarms are emailed (an SNS subscription to confirm once). */
  alarmEmail: v.nullish(v.pipe(v.string(), v.email('must be an email address'))),
  /** A custom domain for the APIs, in a Route 53 hosted zone of the account (docs/global.md). */
  domainName: v.nullish(v.pipe(v.string(), v.minLength(3))),
  hostedZoneId: v.nullish(v.pipe(v.string(), v.minLength(3))),
  hostedZoneName: v.nullish(v.pipe(v.string(), v.minLength(3))),
  /**
   * Origins whose pages may call the API (CORS) besides the web app's own, e.g. a custom domain serving the
   * web app, or `http://localhost:5173` on a development stage. Never `*`.
   */
  allowedOrigins: v.optional(
    v.pipe(
      v.array(v.string()),
      v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        try {
          parseAllowedOrigins(dataset.value.join(','));
        } catch (error) {
          if (!(error instanceof InvalidOriginError)) throw error;
          addIssue({ message: error.message });
        }
      }),
    ),
    () => [],
  ),
  /**
   * The access-token signing key generation: raise it by one to rotate the keys (docs/architecture.md,
   * "Signing keys"). Kept here so the stage's deploys agree; `-c tokenKeyGeneration=N` for one deploy.
   */
  tokenKeyGeneration: positiveInteger(1),
  /** The account-wide API Gateway logging role: create it only where the account has none yet. */
  createApiGatewayLoggingRole: v.optional(v.boolean(), false),
  // Absent limits are `{}`, so each limit still gets its default.
  limits: v.optional(
    strictObject({
      maxGroupMembers: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(10_000)), 256),
      httpRateLimit: positiveInteger(200),
      httpBurstLimit: positiveInteger(400),
      webSocketRateLimit: positiveInteger(500),
      webSocketBurstLimit: positiveInteger(1000),
      /**
       * Overrides of the route table's rate limits (docs/architecture.md, "Limits"), by limit name:
       * `{"send-message": "20/4", "sign-ups": "10"}` (`<limit>` or `<limit>/<windowSeconds>`).
       */
      rateLimits: v.optional(
        v.record(
          v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/, 'must be a limit name such as send-message')),
          v.pipe(
            v.string(),
            v.check(
              (value) => parseLimitOverride(value) !== undefined,
              'must be <limit> or <limit>/<windowSeconds>',
            ),
          ),
        ),
        () => ({}),
      ),
      /**
       * Reserved concurrency (off by default: new accounts have a low concurrency quota and reserving takes from
       * it): for the table-stream consumer, and for each public route's function (sign-up, login, ...), so a
       * flood of one cannot take every execution the others need.
       */
      streamReservedConcurrency: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      publicRouteReservedConcurrency: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    }),
    {},
  ),
});

export type StageFile = v.InferOutput<typeof settingsSchema>;

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
      // -c rateLimits=send-message=20/4,sign-ups=10
      ...(given('rateLimits') !== undefined
        ? {
            rateLimits: {
              ...(limits.rateLimits as Record<string, string> | undefined),
              ...Object.fromEntries(
                (listFrom(given('rateLimits')) ?? []).map((pair) => {
                  const [name = '', value = ''] = pair.split('=');
                  return [name.trim(), value.trim()];
                }),
              ),
            },
          }
        : {}),
      ...(given('streamReservedConcurrency') !== undefined
        ? { streamReservedConcurrency: Number(given('streamReservedConcurrency')) }
        : {}),
      ...(given('publicRouteReservedConcurrency') !== undefined
        ? { publicRouteReservedConcurrency: Number(given('publicRouteReservedConcurrency')) }
        : {}),
    },
  };
  const parsed = v.safeParse(settingsSchema, { ...file, ...overrides });
  if (!parsed.success) {
    const problems = parsed.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`);
    throw new Error(`Invalid settings for stage "${stage}" (stages/${stage}.json): ${problems.join('; ')}`);
  }
  const settings = parsed.output;
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
