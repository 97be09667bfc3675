/**
 * Secrets a function needs (the token signing key, the CDN private key): from Secrets Manager on AWS, from a
 * file in the data dir locally. Each is read on first use and kept for the life of the execution environment;
 * a failed read (a throttled call) is not kept, so the next request tries again.
 */
import { readFile } from 'node:fs/promises';
import { defaultSecretsManager } from './aws/secrets-manager';

export type SecretSource = { kind: 'secretsManager'; secretId: string } | { kind: 'file'; path: string };

/**
 * The region in a secret's ARN (`arn:aws:secretsmanager:<region>:…`), where it must be read. In a
 * multi-region stage, login and refresh outside the home region read the home region's token key set.
 */
export const regionOfSecret = (source: SecretSource): string | undefined =>
  source.kind === 'secretsManager' ? /^arn:[^:]*:[^:]*:([^:]+):/.exec(source.secretId)?.[1] : undefined;

/** `region`: where the secret lives, when not in this function's region (see regionOfSecret). */
export async function readSecret(source: SecretSource, region?: string): Promise<string> {
  if (source.kind === 'file') return readFile(source.path, 'utf8');
  return defaultSecretsManager(process.env, region).getSecretString(source.secretId);
}

/** `load` runs at most once at a time and its result is kept; a rejection is forgotten. */
export function cachedOnSuccess<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    if (!cached) {
      const loading = load();
      cached = loading;
      loading.catch(() => {
        if (cached === loading) cached = undefined;
      });
    }
    return cached;
  };
}
