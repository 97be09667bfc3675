/**
 * Configuration, read from the environment once at module load. A missing or malformed value fails the cold
 * start with a message naming it, instead of failing some later request in a confusing way.
 */
import { type Jwks, parseJwks } from './auth/token-keys';
import type { SecretSource } from './secrets';

// Read by hand rather than with a schema library: every function loads this, and URL checks and coercion
// in schemas would weigh more than the few lines below.

/** Reads each variable once, collecting every problem so one error names them all. */
function environmentReader(env: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name];
    if (value === undefined) return undefined;
    if (value === '') problems.push(`${name}: must not be empty`);
    return value || undefined;
  };
  return {
    problems,
    text,
    required(name: string): string {
      const value = text(name);
      if (value === undefined && env[name] === undefined) problems.push(`${name}: is required`);
      return value ?? '';
    },
    url(name: string): string | undefined {
      const value = text(name);
      if (value !== undefined && !URL.canParse(value)) problems.push(`${name}: must be a URL`);
      return value;
    },
    positiveInt(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
      const value = text(name);
      if (value === undefined) return fallback;
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1 || number > max) {
        problems.push(`${name}: must be a whole number from 1 to ${max}`);
      }
      return number;
    },
  };
}

export type Config = {
  tableName: string;
  dynamoEndpoint: string | undefined;
  /** This function's region (undefined only outside Lambda and the local stack). */
  region: string | undefined;
  /** The home region, when it is not this one (multi-region); undefined everywhere else. */
  homeRegion: string | undefined;
  /** Undefined for functions that neither verify nor publish access tokens (the stack gives them none). */
  tokenJwks: Jwks | undefined;
  /** Undefined except for the functions that issue tokens (login, refresh): only they may read it. */
  tokenSigningKey: SecretSource | undefined;
  accessTokenTtlSeconds: number;
  /** A refresh token's lifetime, which is also a session's idle lifetime (each refresh starts it again). */
  refreshTokenTtlSeconds: number;
  /** A session's absolute lifetime: no refresh extends a session past it. */
  sessionMaxAgeSeconds: number;
  /**
   * log2 of scrypt's cost N for new password hashes. Production is 17 (OWASP's minimum); the test suite sets
   * PASSWORD_HASH_LOG_N lower to stay fast. The stack never sets it (test/infra checks).
   */
  passwordHashLogN: number;
  maxGroupMembers: number;
  /** Real-time events (docs/realtime.md): how long a user's stream of changes is kept for GET /sync. */
  syncRetentionSeconds: number;
  /** Open WebSocket connections per user; the oldest is closed when one more connects. */
  maxConnectionsPerUser: number;
  /** Up to this many members, a read marker moving is an event for every member; above it, for its owner only. */
  readReceiptsUpToMembers: number;
  /** How long a deleted account's username stays reserved before anyone may sign up with it again. */
  usernameCoolingSeconds: number;
  /** At most one `presence.changed` per user in this many seconds (debounces flapping connections). */
  presenceNoticeIntervalSeconds: number;
  /** Undefined for functions that post to no WebSocket connection (the stack sets it for those that do). */
  websocketCallbackUrl: string | undefined;
  /** The stream consumer's queue of presence changes to look at again when their window ends (AWS only). */
  presenceRecheckQueueUrl: string | undefined;
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
        privateKey: SecretSource | undefined;
        signedUrlTtlSeconds: number;
      }
    | undefined;
};

export function readConfig(env: NodeJS.ProcessEnv): Config {
  const read = environmentReader(env);
  const tableName = read.required('TABLE_NAME');
  /** Set locally (DynamoDB Local) or for LocalStack; unset on AWS. */
  const dynamoEndpoint = read.url('DYNAMODB_ENDPOINT');
  /** Set by Lambda: where this function runs (multi-region: what it stamps on its writes, docs/global.md). */
  const region = read.text('AWS_REGION');
  /** Multi-region: the stage's home region, where writes that must be unique or single-use go. */
  const homeRegion = read.text('HOME_REGION');
  /** The public keys that verify access tokens (a JWKS as JSON): for every function that verifies them. */
  const jwks = read.text('TOKEN_JWKS');
  /** Login and refresh only: the token signing key set, in Secrets Manager (AWS) or a file (locally). */
  const signingKeySecret = read.text('TOKEN_SIGNING_KEY_SECRET_ARN');
  const signingKeyFile = read.text('TOKEN_SIGNING_KEY_FILE');
  const accessTokenTtlSeconds = read.positiveInt('ACCESS_TOKEN_TTL_SECONDS', 900);
  const refreshTokenTtlSeconds = read.positiveInt('REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600);
  const sessionMaxAgeSeconds = read.positiveInt('SESSION_MAX_AGE_SECONDS', 90 * 24 * 3600);
  const passwordHashLogN = read.positiveInt('PASSWORD_HASH_LOG_N', 17, 20);
  const maxGroupMembers = read.positiveInt('MAX_GROUP_MEMBERS', 256, 10_000);
  const syncRetentionSeconds = read.positiveInt('SYNC_RETENTION_SECONDS', 7 * 24 * 3600, 365 * 24 * 3600);
  const maxConnectionsPerUser = read.positiveInt('MAX_CONNECTIONS_PER_USER', 10, 1000);
  const readReceiptsUpToMembers = read.positiveInt('READ_RECEIPTS_UP_TO_MEMBERS', 32, 10_000);
  /** 30 days: long enough that nobody picks up a deleted name to pose as its owner the next morning. */
  const usernameCoolingSeconds = read.positiveInt(
    'USERNAME_COOLING_SECONDS',
    30 * 24 * 3600,
    365 * 24 * 3600,
  );
  const presenceNoticeIntervalSeconds = read.positiveInt('PRESENCE_NOTICE_INTERVAL_SECONDS', 30, 3600);
  /**
   * The WebSocket API's management endpoint (`https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`;
   * locally the local gateway). Set for the functions that post to connections, and only for them.
   */
  const websocketCallbackUrl = read.url('WEBSOCKET_CALLBACK_URL');
  /** Set for the stream consumer and the recheck function on AWS; locally a timer does its job. */
  const presenceRecheckQueueUrl = read.url('PRESENCE_RECHECK_QUEUE_URL');
  /** The media bucket, and (locally) the S3 endpoint to reach it. */
  const bucket = read.text('MEDIA_BUCKET');
  /** The bucket's region when it is not this function's (the home region of a multi-region stage). */
  const bucketRegion = read.text('MEDIA_BUCKET_REGION');
  const s3Endpoint = read.url('S3_ENDPOINT');
  const uploadUrlTtlSeconds = read.positiveInt('UPLOAD_URL_TTL_SECONDS', 300, 3600);
  /** The CDN in front of the bucket, e.g. https://d1234.cloudfront.net (no trailing slash). */
  const cdnBaseUrl = read.url('CDN_BASE_URL');
  const keyPairId = read.text('CDN_KEY_PAIR_ID');
  const cdnKeySecret = read.text('CDN_PRIVATE_KEY_SECRET_ARN');
  const cdnKeyFile = read.text('CDN_PRIVATE_KEY_FILE');
  const signedUrlTtlSeconds = read.positiveInt('SIGNED_URL_TTL_SECONDS', 900, 7 * 24 * 3600);
  let tokenJwks: Jwks | undefined;
  if (jwks !== undefined) {
    try {
      tokenJwks = parseJwks(jwks);
    } catch (error) {
      read.problems.push(`TOKEN_JWKS: is not a JWKS of P-256 keys (${(error as Error).message})`);
    }
  }
  if (read.problems.length > 0) throw new Error(`Invalid configuration: ${read.problems.join('; ')}`);

  const secret = (arn: string | undefined, file: string | undefined): SecretSource | undefined =>
    arn ? { kind: 'secretsManager', secretId: arn } : file ? { kind: 'file', path: file } : undefined;
  return {
    tableName,
    dynamoEndpoint,
    region,
    homeRegion: homeRegion !== region ? homeRegion : undefined,
    tokenJwks,
    tokenSigningKey: secret(signingKeySecret, signingKeyFile),
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    sessionMaxAgeSeconds,
    passwordHashLogN,
    maxGroupMembers,
    syncRetentionSeconds,
    maxConnectionsPerUser,
    readReceiptsUpToMembers,
    usernameCoolingSeconds,
    presenceNoticeIntervalSeconds,
    websocketCallbackUrl,
    presenceRecheckQueueUrl,
    media: bucket ? { bucket, region: bucketRegion, s3Endpoint, uploadUrlTtlSeconds } : undefined,
    cdn: cdnBaseUrl
      ? {
          baseUrl: cdnBaseUrl.replace(/\/+$/, ''),
          keyPairId,
          privateKey: secret(cdnKeySecret, cdnKeyFile),
          signedUrlTtlSeconds,
        }
      : undefined,
  };
}

export const config: Config = readConfig(process.env);
