/**
 * Secrets Manager's GetSecretValue without its SDK client (about 30 KB in every bundle that imports it): one
 * call over the service's JSON protocol (aws/json-service.ts), about a kilobyte. See docs/performance.md for why
 * this and not the Parameters and Secrets Lambda Extension.
 */
import { AwsServiceError, awsJsonService, type Credentials } from './json-service';

/** A failure Secrets Manager reported: `name` is its error type, e.g. `ResourceNotFoundException`. */
export { AwsServiceError as SecretsManagerError };

export interface SecretsManagerOptions {
  region: string;
  /** Defaults to the regional endpoint; AWS_ENDPOINT_URL_SECRETS_MANAGER overrides it, as for the SDK. */
  endpoint?: string;
  /** Defaults to the SDK's chain (on Lambda: the function role's credentials from the environment). */
  credentials?: Credentials;
  /** Attempts for throttling, 5xx answers and network errors (default 3, like the SDK). */
  maxAttempts?: number;
  timeoutMs?: number;
}

export function secretsManager(options: SecretsManagerOptions) {
  const service = awsJsonService({
    ...options,
    service: 'secretsmanager',
    endpoint: options.endpoint ?? `https://secretsmanager.${options.region}.amazonaws.com`,
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    retryable: ['ThrottlingException', 'InternalServiceError', 'RequestTimeout'],
  });
  return {
    /** The secret's current string value. */
    async getSecretString(secretId: string): Promise<string> {
      const payload = await service.call('GetSecretValue', { SecretId: secretId });
      if (typeof payload.SecretString !== 'string') {
        throw new Error(`The secret ${secretId} has no string value`);
      }
      return payload.SecretString;
    },
  };
}

const shared: Record<string, ReturnType<typeof secretsManager>> = {};

/**
 * The client for a region (by default this function's) with the function's credentials (from the
 * environment, as the SDK reads them); one per region for the life of the execution environment.
 */
export function defaultSecretsManager(
  env: NodeJS.ProcessEnv = process.env,
  region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
) {
  if (!region) throw new Error('Invalid configuration: AWS_REGION must be set to read secrets');
  shared[region] ??= secretsManager({ region, endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER });
  return shared[region];
}
