/**
 * A presigned S3 GET URL without the S3 client and its presigner (about 100 KB in a bundle): SigV4 query
 * signing with the signer, SHA-256 and credential chain the DynamoDB client already brings, as
 * secrets-manager.ts does for its one call. The payload is `UNSIGNED-PAYLOAD`, as S3 expects of a presigned URL.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

export interface PresignGetOptions {
  bucket: string;
  key: string;
  region: string;
  /** Path-style endpoint (s3rver locally); default the bucket's virtual-hosted endpoint on AWS. */
  endpoint?: string;
  expiresInSeconds: number;
  /** Sent back by S3 as the response's Content-Disposition (e.g. a download with a file name). */
  contentDisposition?: string;
  /** Tests: fixed credentials and time, to compare with the SDK's presigner. */
  credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  signingDate?: Date;
}

/** S3 keys are URI-encoded segment by segment (slashes kept). */
const encodeKey = (key: string) =>
  key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');

export async function presignGetObject(options: PresignGetOptions): Promise<string> {
  const base = new URL(options.endpoint ?? `https://${options.bucket}.s3.${options.region}.amazonaws.com`);
  const path = `${options.endpoint ? `/${options.bucket}` : ''}/${encodeKey(options.key)}`;
  const signer = new SignatureV4({
    credentials: options.credentials ?? defaultProvider(),
    region: options.region,
    service: 's3',
    sha256: Sha256,
    // S3 signs the path as sent, not encoded twice.
    uriEscapePath: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path,
      // x-id names the operation, as the SDK's presigner does (S3 ignores it): the same URL as the SDK's.
      query: {
        'x-id': 'GetObject',
        ...(options.contentDisposition ? { 'response-content-disposition': options.contentDisposition } : {}),
      },
      headers: { host: base.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    },
    {
      expiresIn: options.expiresInSeconds,
      ...(options.signingDate ? { signingDate: options.signingDate } : {}),
    },
  );
  const url = new URL(`${base.protocol}//${base.host}${path}`);
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    if (typeof value === 'string') url.searchParams.set(name, value);
  }
  return url.toString();
}
