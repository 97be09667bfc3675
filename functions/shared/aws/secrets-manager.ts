/**
 * Secrets Manager's GetSecretValue without its SDK client (about 30 KB in every bundle that imports it): one
 * call over the service's JSON protocol, signed with SigV4 by the signer, SHA-256 and credential chain that
 * the DynamoDB client already brings into the bundle, so this adds about a kilobyte. See docs/performance.md
 * for why this and not the Parameters and Secrets Lambda Extension.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/** A failure Secrets Manager reported: `name` is its error type, e.g. `ResourceNotFoundException`. */
export class SecretsManagerError extends Error {
  constructor(
    name: string,
    message: string,
    readonly $metadata: { httpStatusCode: number },
  ) {
    super(message);
    this.name = name;
  }
}

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

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

const RETRYABLE = new Set(['ThrottlingException', 'InternalServiceError', 'RequestTimeout']);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function secretsManager(options: SecretsManagerOptions) {
  const endpoint = new URL(options.endpoint ?? `https://secretsmanager.${options.region}.amazonaws.com`);
  const signer = new SignatureV4({
    credentials: options.credentials ?? defaultProvider(),
    region: options.region,
    service: 'secretsmanager',
    sha256: Sha256,
  });

  async function call(target: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: endpoint.pathname,
      query: {},
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `secretsmanager.${target}`,
      },
      body,
    });
    // fetch sets Host itself, to the same value that was signed.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    const text = await response.text();
    let payload: Record<string, unknown> = {};
    try {
      payload = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // Not JSON (a proxy's error page): reported below by status.
    }
    if (!response.ok) {
      const type =
        String(payload.__type ?? `HTTP${response.status}`)
          .split('#')
          .pop() ?? 'UnknownError';
      const message = String(
        payload.message ?? payload.Message ?? `Secrets Manager answered ${response.status}`,
      );
      throw new SecretsManagerError(type, message, { httpStatusCode: response.status });
    }
    return payload;
  }

  async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    const attempts = options.maxAttempts ?? 3;
    for (let number = 1; ; number++) {
      try {
        return await attempt();
      } catch (error) {
        const status = error instanceof SecretsManagerError ? error.$metadata.httpStatusCode : undefined;
        const retryable =
          !(error instanceof SecretsManagerError) ||
          RETRYABLE.has(error.name) ||
          (status !== undefined && (status >= 500 || status === 429));
        if (!retryable || number >= attempts) throw error;
        await pause(50 * 2 ** number + Math.random() * 50);
      }
    }
  }

  return {
    /** The secret's current string value. */
    async getSecretString(secretId: string): Promise<string> {
      const payload = await withRetries(() => call('GetSecretValue', { SecretId: secretId }));
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
