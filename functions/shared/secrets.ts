/**
 * Secrets a function needs (the token signing key, the CDN private key): from Secrets Manager on AWS, from a
 * file in the data dir locally. Each is read on first use and kept for the life of the execution environment;
 * a failed read (a throttled call) is not kept, so the next request tries again.
 */
import { readFile } from 'node:fs/promises';
import { defaultSecretsManager } from './aws/secrets-manager';

export type SecretSource = { kind: 'secretsManager'; secretId: string } | { kind: 'file'; path: string };

export async function readSecret(source: SecretSource): Promise<string> {
  if (source.kind === 'file') return readFile(source.path, 'utf8');
  return defaultSecretsManager().getSecretString(source.secretId);
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
