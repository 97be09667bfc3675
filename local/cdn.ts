/**
 * A local stand-in for the CloudFront distribution: serves the media bucket (s3rver) and, like CloudFront
 * with a trusted key group, refuses attachment URLs whose signature is missing, tampered or expired.
 * Avatars are served unsigned, as on AWS; quarantine (`uploads/…`) and every other path are never served.
 * Every file gets the headers of CloudFront's response-headers policy (functions/shared/media/served-headers.ts).
 *
 * Paths: CloudFront normalizes the request path as RFC 3986 says (percent-encoded unreserved characters such
 * as %2E decoded, dot segments and duplicate slashes resolved) only to choose a cache behavior, then sends
 * the raw path to the origin; an encoded slash (%2F) stays a character of its segment, so
 * `avatars%2F..%2Fattachments/…` matches no served prefix and falls to the default behavior (404 at the edge).
 * S3 decodes the raw path into a key and takes it literally (`avatars/../attachments/x` is a key of its own,
 * never resolved), so no spelling reaches another file there. s3rver is not S3: it stores objects as files
 * and joins the key into a filesystem path, so `..` in a key would resolve to another object. This stand-in
 * is therefore stricter than CloudFront: it serves only raw paths that are exactly a served key (no
 * percent-encoding at all, no backslash, no empty or dot segment) and answers 404 to anything else.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SERVED_KEY } from '../functions/shared/media/object-keys';
import { DEFAULT_CONTENT_DISPOSITION, SERVED_FILE_HEADERS } from '../functions/shared/media/served-headers';
import { verifySignedUrl } from './cloudfront-verifier';

export const LOCAL_CDN_KEY_PAIR_ID = 'LOCALKEYPAIR';

/** The CloudFront signing key pair, generated on first start into the data dir (never committed). */
export async function ensureCdnKeyPair(secretsDir: string) {
  const privateKeyFile = join(secretsDir, 'cdn-private-key.pem');
  const publicKeyFile = join(secretsDir, 'cdn-public-key.pem');
  let publicKey = await readFile(publicKeyFile, 'utf8').catch(() => undefined);
  const privateKey = await readFile(privateKeyFile, 'utf8').catch(() => undefined);
  if (!publicKey || !privateKey) {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    await mkdir(secretsDir, { recursive: true, mode: 0o700 });
    await writeFile(privateKeyFile, pair.privateKey, { mode: 0o600 });
    await writeFile(publicKeyFile, pair.publicKey);
    publicKey = pair.publicKey;
  }
  return { privateKeyFile, publicKey, keyPairId: LOCAL_CDN_KEY_PAIR_ID };
}

const PRIVATE_PREFIXES = ['attachments/'];

export function createCdnServer(options: {
  s3Endpoint: string;
  bucket: string;
  publicKey: string;
  keyPairId: string;
}): Server {
  const s3 = new S3Client({
    endpoint: options.s3Endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    // s3rver's built-in key pair (see LOCAL_AWS_ENVIRONMENT in stack.ts).
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const deny = (response: import('node:http').ServerResponse, reason: string) => {
    response.writeHead(403, { 'content-type': 'text/plain' });
    response.end(`Forbidden: ${reason}\n`);
  };
  const notFound = (response: import('node:http').ServerResponse) => {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('Not Found\n');
  };
  const server = createServer(async (request, response) => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' });
        return response.end();
      }
      // The raw request target, before any decoding or normalization (WHATWG URL parsing would resolve
      // dot segments and turn backslashes into slashes).
      const rawTarget = request.url ?? '/';
      const rawPath = rawTarget.split('?', 1)[0] ?? '';
      const key = rawPath.slice(1);
      if (!rawPath.startsWith('/') || !SERVED_KEY.test(key)) return notFound(response);
      const url = new URL(rawTarget, `http://${request.headers.host ?? 'localhost'}`);
      if (PRIVATE_PREFIXES.some((prefix) => key.startsWith(prefix))) {
        const verdict = verifySignedUrl(url, options.publicKey, options.keyPairId);
        if (verdict !== 'valid') return deny(response, `${verdict} URL`);
      }
      const object = await s3
        .send(new GetObjectCommand({ Bucket: options.bucket, Key: key }))
        .catch((error: Error) => (error.name === 'NoSuchKey' ? undefined : Promise.reject(error)));
      if (!object?.Body) return notFound(response);
      response.writeHead(200, {
        ...SERVED_FILE_HEADERS,
        'content-disposition': object.ContentDisposition ?? DEFAULT_CONTENT_DISPOSITION,
        'content-type': object.ContentType ?? 'application/octet-stream',
        ...(object.ContentLength !== undefined ? { 'content-length': String(object.ContentLength) } : {}),
        'cache-control': key.startsWith('avatars/') ? 'public, max-age=86400' : 'private, max-age=300',
      });
      if (request.method === 'HEAD') return response.end();
      response.end(Buffer.from(await object.Body.transformToByteArray()));
    } catch (error) {
      console.error('[cdn] failed', error);
      if (!response.headersSent) response.writeHead(502);
      response.end();
    }
  });
  server.on('close', () => s3.destroy());
  return server;
}
