/**
 * Verifies CloudFront canned-policy signed URLs (RSA-SHA1, CloudFront's default), as CloudFront does. The
 * functions sign with AWS's own signer (`@aws-sdk/cloudfront-signer`); this verifier is independent code, so
 * the local CDN and the tests check AWS's signer rather than our signer against itself.
 */
import { createVerify } from 'node:crypto';

/** CloudFront's URL-safe base64 reversed: - -> +, _ -> =, ~ -> /. */
const fromCloudFrontBase64 = (value: string) =>
  Buffer.from(value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'), 'base64');

const cannedPolicy = (url: string, expiresEpoch: number) =>
  JSON.stringify({
    Statement: [{ Resource: url, Condition: { DateLessThan: { 'AWS:EpochTime': expiresEpoch } } }],
  });

/** Checks a canned-policy signed URL as CloudFront does: signature, key pair and expiry. */
export function verifySignedUrl(
  url: URL,
  publicKeyPem: string,
  keyPairId: string,
  now = new Date(),
): 'valid' | 'unsigned' | 'expired' | 'invalid' {
  const expires = url.searchParams.get('Expires');
  const signature = url.searchParams.get('Signature');
  const pairId = url.searchParams.get('Key-Pair-Id');
  if (!expires && !signature && !pairId) return 'unsigned';
  if (!expires || !signature || pairId !== keyPairId || !/^\d+$/.test(expires)) return 'invalid';
  const resource = `${url.origin}${url.pathname}`;
  const valid = createVerify('RSA-SHA1')
    .update(cannedPolicy(resource, Number(expires)))
    .verify(publicKeyPem, fromCloudFrontBase64(signature));
  if (!valid) return 'invalid';
  return Number(expires) * 1000 <= now.getTime() ? 'expired' : 'valid';
}
