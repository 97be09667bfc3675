/**
 * CloudFront URLs. Attachments are private: their URLs carry a CloudFront canned-policy signature (RSA-SHA1,
 * as CloudFront requires) that expires; avatars are public. The local CDN emulation verifies with the same
 * code, so a URL that works locally is built exactly like one that works on AWS.
 */
import { readFile } from 'node:fs/promises';
import { config } from '../config';
import { signUrl } from './cloudfront-signature';

function cdnSettings() {
  const { cdn } = config;
  if (!cdn) throw new Error('Invalid configuration: CDN_BASE_URL is not set');
  return cdn;
}

export function publicUrl(key: string): string {
  return `${cdnSettings().baseUrl}/${key}`;
}

let privateKey: Promise<string> | undefined;
async function loadPrivateKey(): Promise<string> {
  const source = cdnSettings().privateKey;
  if (!source)
    throw new Error('Invalid configuration: CDN_PRIVATE_KEY_SECRET_ARN or CDN_PRIVATE_KEY_FILE must be set');
  if (source.kind === 'file') return readFile(source.path, 'utf8');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const response = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: source.secretId }),
  );
  if (!response.SecretString) throw new Error('The CDN signing key secret is empty');
  return response.SecretString;
}

function cdnPrivateKey(): Promise<string> {
  if (!privateKey) {
    privateKey = loadPrivateKey();
    privateKey.catch(() => {
      privateKey = undefined;
    });
  }
  return privateKey;
}

/** A CloudFront signed URL for `key`, valid until `now + ttl`. */
export async function signedUrl(key: string, now = new Date()): Promise<{ url: string; expiresAt: string }> {
  const settings = cdnSettings();
  const url = publicUrl(key);
  const expires = Math.floor(now.getTime() / 1000) + settings.signedUrlTtlSeconds;
  if (!settings.keyPairId) throw new Error('Invalid configuration: CDN_KEY_PAIR_ID is not set');
  return {
    url: signUrl(url, expires, await cdnPrivateKey(), settings.keyPairId),
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}
