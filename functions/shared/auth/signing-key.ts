/**
 * The HMAC key that signs access tokens. On AWS it lives in Secrets Manager (generated at deploy); locally in
 * a file in the data dir (generated on first start). Fetched once per execution environment and cached.
 */
import { readFile } from 'node:fs/promises';
import { config } from '../config';

let cached: Promise<Uint8Array> | undefined;

async function load(): Promise<Uint8Array> {
  const source = config.signingKeySource;
  if (!source)
    throw new Error('Invalid configuration: TOKEN_SECRET_ARN or TOKEN_SIGNING_KEY_FILE must be set');
  let secret: string;
  if (source.kind === 'file') {
    secret = (await readFile(source.path, 'utf8')).trim();
  } else {
    // Imported lazily so functions that never sign or verify do not pay for the client at cold start.
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const response = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: source.secretId }),
    );
    secret = response.SecretString ?? '';
  }
  if (secret.length < 32) throw new Error('The token signing key is missing or shorter than 32 characters');
  return new TextEncoder().encode(secret);
}

export function signingKey(): Promise<Uint8Array> {
  if (!cached) {
    cached = load();
    // A failed load (e.g. a throttled Secrets Manager call) must not poison every later request.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}
