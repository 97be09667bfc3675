/**
 * A local stand-in for the CloudFront distribution: serves the media bucket (s3rver) and, like CloudFront
 * with a trusted key group, refuses attachment URLs whose signature is missing, tampered or expired.
 * Avatars are served unsigned, as on AWS.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
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
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
      const key = decodeURIComponent(url.pathname.slice(1));
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' });
        return response.end();
      }
      if (PRIVATE_PREFIXES.some((prefix) => key.startsWith(prefix))) {
        const verdict = verifySignedUrl(url, options.publicKey, options.keyPairId);
        if (verdict !== 'valid') return deny(response, `${verdict} URL`);
      }
      const object = await s3
        .send(new GetObjectCommand({ Bucket: options.bucket, Key: key }))
        .catch((error: Error) => (error.name === 'NoSuchKey' ? undefined : Promise.reject(error)));
      if (!object?.Body) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        return response.end('Not Found\n');
      }
      response.writeHead(200, {
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
