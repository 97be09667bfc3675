/**
 * CloudFront URLs. Attachments are private: their URLs carry a CloudFront canned-policy signature that expires,
 * made by AWS's own signer (`@aws-sdk/cloudfront-signer`); avatars are public. The local CDN emulation checks
 * the signature with independent code (`local/cloudfront-verifier.ts`).
 */
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { config } from '../config';
import { cachedOnSuccess, readSecret } from '../secrets';

function cdnSettings() {
  const { cdn } = config;
  if (!cdn) throw new Error('Invalid configuration: CDN_BASE_URL is not set');
  return cdn;
}

export function publicUrl(key: string): string {
  return `${cdnSettings().baseUrl}/${key}`;
}

const cdnPrivateKey = /* @__PURE__ */ cachedOnSuccess(async () => {
  const source = cdnSettings().privateKey;
  if (!source)
    throw new Error('Invalid configuration: CDN_PRIVATE_KEY_SECRET_ARN or CDN_PRIVATE_KEY_FILE must be set');
  const key = await readSecret(source);
  if (!key.trim()) throw new Error('The CDN signing key secret is empty');
  return key;
});

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
