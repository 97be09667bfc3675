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
});

export type Config = {
  tableName: string;
  dynamoEndpoint: string | undefined;
  /** Undefined for functions that neither sign nor verify tokens (the stack gives them no key access). */
  signingKeySource: { kind: 'secretsManager'; secretId: string } | { kind: 'file'; path: string } | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  maxGroupMembers: number;
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
    signingKeySource,
    accessTokenTtlSeconds: value.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: value.REFRESH_TOKEN_TTL_SECONDS,
    maxGroupMembers: value.MAX_GROUP_MEMBERS,
  };
}

export const config: Config = readConfig(process.env);
