/**
 * CloudFront URLs. Attachments are private: their URLs carry a CloudFront canned-policy signature that expires,
 * made by AWS's own signer (`@aws-sdk/cloudfront-signer`); avatars are public. The local CDN emulation checks
 * the signature with independent code (`local/cloudfront-verifier.ts`).
 */
import { readFile } from 'node:fs/promises';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { config } from '../config';

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
    url: getSignedUrl({
      url,
      keyPairId: settings.keyPairId,
      privateKey: await cdnPrivateKey(),
      dateLessThan: new Date(expires * 1000),
    }),
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}
