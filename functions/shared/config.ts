/**
 * Configuration, read from the environment once at module load. A missing or malformed value fails the cold
 * start with a message naming it, instead of failing some later request in a confusing way.
 */
import * as z from 'zod';

const positiveInt = z.coerce.number().int().positive();

const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Set locally (DynamoDB Local) or for LocalStack; unset on AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** On AWS: the Secrets Manager secret holding the token signing key. */
  TOKEN_SECRET_ARN: z.string().min(1).optional(),
  /** Locally: a file in the data dir holding the token signing key. */
  TOKEN_SIGNING_KEY_FILE: z.string().min(1).optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  MAX_GROUP_MEMBERS: positiveInt.max(10_000).default(256),
  /**
   * The WebSocket API's management endpoint (`https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`;
   * locally the local gateway). Set for the functions that post to connections, and only for them.
   */
  WEBSOCKET_CALLBACK_URL: z.url().optional(),
  /** Set by Lambda: where this function runs (multi-region: what it stamps on its writes, docs/global.md). */
  AWS_REGION: z.string().min(1).optional(),
  /** Multi-region: the stage's home region, where writes that must be unique or single-use go. */
  HOME_REGION: z.string().min(1).optional(),
  /** The media bucket, and (locally) the S3 endpoint to reach it. */
  MEDIA_BUCKET: z.string().min(1).optional(),
  /** The bucket's region when it is not this function's (the home region of a multi-region stage). */
  MEDIA_BUCKET_REGION: z.string().min(1).optional(),
  S3_ENDPOINT: z.url().optional(),
  /** The CDN in front of the bucket, e.g. https://d1234.cloudfront.net (no trailing slash). */
  CDN_BASE_URL: z.url().optional(),
  CDN_KEY_PAIR_ID: z.string().min(1).optional(),
  CDN_PRIVATE_KEY_SECRET_ARN: z.string().min(1).optional(),
  CDN_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  SIGNED_URL_TTL_SECONDS: positiveInt.max(7 * 24 * 3600).default(900),
  UPLOAD_URL_TTL_SECONDS: positiveInt.max(3600).default(300),
});

export type Config = {
  tableName: string;
  dynamoEndpoint: string | undefined;
  /** This function's region (undefined only outside Lambda and the local stack). */
  region: string | undefined;
  /** The home region, when it is not this one (multi-region); undefined everywhere else. */
  homeRegion: string | undefined;
  /** Undefined for functions that neither sign nor verify tokens (the stack gives them no key access). */
  signingKeySource: { kind: 'secretsManager'; secretId: string } | { kind: 'file'; path: string } | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  maxGroupMembers: number;
  /** Undefined for functions that post to no WebSocket connection (the stack sets it for those that do). */
  websocketCallbackUrl: string | undefined;
  /** Undefined for functions that touch no media; media functions fail at first use with a clear message. */
  media:
    | {
        bucket: string;
        region: string | undefined;
        s3Endpoint: string | undefined;
        uploadUrlTtlSeconds: number;
      }
    | undefined;
  cdn:
    | {
        baseUrl: string;
        keyPairId: string | undefined;
        privateKey: { kind: 'secretsManager'; secretId: string } | { kind: 'file'; path: string } | undefined;
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
  let signingKeySource: Config['signingKeySource'];
  if (value.TOKEN_SECRET_ARN !== undefined) {
    signingKeySource = { kind: 'secretsManager', secretId: value.TOKEN_SECRET_ARN };
  } else if (value.TOKEN_SIGNING_KEY_FILE !== undefined) {
    signingKeySource = { kind: 'file', path: value.TOKEN_SIGNING_KEY_FILE };
  }
  return {
    tableName: value.TABLE_NAME,
    dynamoEndpoint: value.DYNAMODB_ENDPOINT,
    region: value.AWS_REGION,
    homeRegion: value.HOME_REGION && value.HOME_REGION !== value.AWS_REGION ? value.HOME_REGION : undefined,
    signingKeySource,
    accessTokenTtlSeconds: value.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: value.REFRESH_TOKEN_TTL_SECONDS,
    maxGroupMembers: value.MAX_GROUP_MEMBERS,
    websocketCallbackUrl: value.WEBSOCKET_CALLBACK_URL,
    media: value.MEDIA_BUCKET
      ? {
          bucket: value.MEDIA_BUCKET,
          region: value.MEDIA_BUCKET_REGION,
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
