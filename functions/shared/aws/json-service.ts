/**
 * Calls to an AWS service over its JSON protocol without the service's SDK client (each client is tens of
 * kilobytes in every bundle that imports it): one POST per call, signed with SigV4 by the signer, SHA-256 and
 * credential chain that the DynamoDB client already brings into the bundle, so a service costs about a kilobyte.
 * Throttling, 5xx answers and network errors are retried, as the SDK does. Used for Secrets Manager's
 * GetSecretValue (aws/secrets-manager.ts) and SQS's SendMessage (realtime/presence-rechecks.ts).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/** A failure the service reported: `name` is its error type, e.g. `ResourceNotFoundException`. */
export class AwsServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly $metadata: { httpStatusCode: number },
  ) {
    super(message);
    this.name = name;
  }
}

export type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export interface JsonServiceOptions {
  /** The signing name (`secretsmanager`, `sqs`). */
  service: string;
  region: string;
  endpoint: string;
  /** What the `x-amz-target` header puts before the operation (`secretsmanager`, `AmazonSQS`). */
  targetPrefix: string;
  /** The protocol's version, in the content type (`application/x-amz-json-1.1`). */
  jsonVersion: '1.0' | '1.1';
  /** Error types worth another attempt besides 5xx and 429 answers. */
  retryable: readonly string[];
  /** Defaults to the SDK's chain (on Lambda: the function role's credentials from the environment). */
  credentials?: Credentials;
  /** Attempts for throttling, 5xx answers and network errors (default 3, like the SDK). */
  maxAttempts?: number;
  timeoutMs?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `call(operation, input)`: the operation's output, or an AwsServiceError once retries are spent. */
export function awsJsonService(options: JsonServiceOptions) {
  const endpoint = new URL(options.endpoint);
  const signer = new SignatureV4({
    credentials: options.credentials ?? defaultProvider(),
    region: options.region,
    service: options.service,
    sha256: Sha256,
  });
  const retryable = new Set(options.retryable);

  async function once(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
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
        'content-type': `application/x-amz-json-${options.jsonVersion}`,
        'x-amz-target': `${options.targetPrefix}.${operation}`,
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
        payload.message ?? payload.Message ?? `${options.service} answered ${response.status}`,
      );
      throw new AwsServiceError(type, message, { httpStatusCode: response.status });
    }
    return payload;
  }

  return {
    async call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
      const attempts = options.maxAttempts ?? 3;
      for (let number = 1; ; number++) {
        try {
          return await once(operation, input);
        } catch (error) {
          const status = error instanceof AwsServiceError ? error.$metadata.httpStatusCode : undefined;
          const again =
            !(error instanceof AwsServiceError) ||
            retryable.has(error.name) ||
            (status !== undefined && (status >= 500 || status === 429));
          if (!again || number >= attempts) throw error;
          await pause(50 * 2 ** number + Math.random() * 50);
        }
      }
    },
  };
}
