/**
 * CloudFront canned-policy URL signatures (RSA-SHA1, as CloudFront requires), to sign and to verify. Pure
 * functions with no configuration, so the local CDN emulation verifies with exactly the code that signs.
 */
import { createSign, createVerify } from 'node:crypto';

/** CloudFront's URL-safe base64: + -> -, = -> _, / -> ~. */
const cloudFrontBase64 = (value: Buffer) =>
  value.toString('base64').replaceAll('+', '-').replaceAll('=', '_').replaceAll('/', '~');
const fromCloudFrontBase64 = (value: string) =>
  Buffer.from(value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'), 'base64');

const cannedPolicy = (url: string, expiresEpoch: number) =>
  JSON.stringify({
    Statement: [{ Resource: url, Condition: { DateLessThan: { 'AWS:EpochTime': expiresEpoch } } }],
  });

export function signUrl(url: string, expiresEpoch: number, privateKeyPem: string, keyPairId: string): string {
  const signature = createSign('RSA-SHA1').update(cannedPolicy(url, expiresEpoch)).sign(privateKeyPem);
  const query = new URLSearchParams({
    Expires: String(expiresEpoch),
    Signature: cloudFrontBase64(signature),
    'Key-Pair-Id': keyPairId,
  });
  return `${url}?${query}`;
}

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
