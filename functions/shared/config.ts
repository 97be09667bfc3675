/**
 * Configuration, read from the environment once at module load. A missing or malformed value fails the cold
 * start with a message naming it, instead of failing some later request in a confusing way.
 */
import * as z from 'zod/mini';
import { type Jwks, parseJwks } from './auth/token-keys';
import type { SecretSource } from './secrets';
import './validation-messages';

const positiveInt = (max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(max)), fallback);
const name = () => z.optional(z.string().check(z.minLength(1)));

const configSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  /** Set locally (DynamoDB Local) or for LocalStack; unset on AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** The public keys that verify access tokens (a JWKS as JSON): for every function that verifies them. */
  TOKEN_JWKS: name(),
  /** Login and refresh only: the token signing key set, in Secrets Manager (AWS) or a file (locally). */
  TOKEN_SIGNING_KEY_SECRET_ARN: name(),
  TOKEN_SIGNING_KEY_FILE: name(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt(Number.MAX_SAFE_INTEGER, 900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt(Number.MAX_SAFE_INTEGER, 30 * 24 * 3600),
  MAX_GROUP_MEMBERS: positiveInt(10_000, 256),
  /**
   * The WebSocket API's management endpoint (`https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`;
   * locally the local gateway). Set for the functions that post to connections, and only for them.
   */
  WEBSOCKET_CALLBACK_URL: z.optional(z.url()),
  /** The media bucket, and (locally) the S3 endpoint to reach it. */
  MEDIA_BUCKET: name(),
  S3_ENDPOINT: z.optional(z.url()),
  /** The CDN in front of the bucket, e.g. https://d1234.cloudfront.net (no trailing slash). */
  CDN_BASE_URL: z.optional(z.url()),
  CDN_KEY_PAIR_ID: name(),
  CDN_PRIVATE_KEY_SECRET_ARN: name(),
  CDN_PRIVATE_KEY_FILE: name(),
  SIGNED_URL_TTL_SECONDS: positiveInt(7 * 24 * 3600, 900),
  UPLOAD_URL_TTL_SECONDS: positiveInt(3600, 300),
});

export type Config = {
  tableName: string;
  dynamoEndpoint: string | undefined;
  /** Undefined for functions that neither verify nor publish access tokens (the stack gives them none). */
  tokenJwks: Jwks | undefined;
  /** Undefined except for the functions that issue tokens (login, refresh): only they may read it. */
  tokenSigningKey: SecretSource | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  maxGroupMembers: number;
  /** Undefined for functions that post to no WebSocket connection (the stack sets it for those that do). */
  websocketCallbackUrl: string | undefined;
  /** Undefined for functions that touch no media; media functions fail at first use with a clear message. */
  media: { bucket: string; s3Endpoint: string | undefined; uploadUrlTtlSeconds: number } | undefined;
  cdn:
    | {
        baseUrl: string;
        keyPairId: string | undefined;
        privateKey: SecretSource | undefined;
        signedUrlTtlSeconds: number;
      }
    | undefined;
};

export function readConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${names.join('; ')}`);
  }
  const value = parsed.data;
  let tokenSigningKey: Config['tokenSigningKey'];
  if (value.TOKEN_SIGNING_KEY_SECRET_ARN !== undefined) {
    tokenSigningKey = { kind: 'secretsManager', secretId: value.TOKEN_SIGNING_KEY_SECRET_ARN };
  } else if (value.TOKEN_SIGNING_KEY_FILE !== undefined) {
    tokenSigningKey = { kind: 'file', path: value.TOKEN_SIGNING_KEY_FILE };
  }
  let tokenJwks: Jwks | undefined;
  if (value.TOKEN_JWKS !== undefined) {
    try {
      tokenJwks = parseJwks(value.TOKEN_JWKS);
    } catch (error) {
      throw new Error(
        `Invalid configuration: TOKEN_JWKS is not a JWKS of P-256 keys: ${(error as Error).message}`,
      );
    }
  }
  return {
    tableName: value.TABLE_NAME,
    dynamoEndpoint: value.DYNAMODB_ENDPOINT,
    tokenJwks,
    tokenSigningKey,
    accessTokenTtlSeconds: value.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: value.REFRESH_TOKEN_TTL_SECONDS,
    maxGroupMembers: value.MAX_GROUP_MEMBERS,
    websocketCallbackUrl: value.WEBSOCKET_CALLBACK_URL,
    media: value.MEDIA_BUCKET
      ? {
          bucket: value.MEDIA_BUCKET,
          s3Endpoint: value.S3_ENDPOINT,
          uploadUrlTtlSeconds: value.UPLOAD_URL_TTL_SECONDS,
        }
      : undefined,
    cdn: value.CDN_BASE_URL
      ? {
          baseUrl: value.CDN_BASE_URL.replace(/\/+$/, ''),
          keyPairId: value.CDN_KEY_PAIR_ID,
          privateKey: value.CDN_PRIVATE_KEY_SECRET_ARN
            ? { kind: 'secretsManager', secretId: value.CDN_PRIVATE_KEY_SECRET_ARN }
            : value.CDN_PRIVATE_KEY_FILE
              ? { kind: 'file', path: value.CDN_PRIVATE_KEY_FILE }
              : undefined,
          signedUrlTtlSeconds: value.SIGNED_URL_TTL_SECONDS,
        }
      : undefined,
  };
}

export const config: Config = readConfig(process.env);
