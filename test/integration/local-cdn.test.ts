/**
 * The local CDN (local/cdn.ts) against its own s3rver, with no upload check running, so objects stay where
 * the test puts them: it serves only exact served keys, with the response headers CloudFront's policy adds,
 * never quarantine, and no percent-encoded or dot-segment spelling of a path reaches a signed file unsigned.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCdnServer } from '../../local/cdn';
import { type S3Local, startS3Local } from '../../local/services';
import { closeServer, LOCAL_CREDENTIALS, listen } from '../../local/stack';
import { rawGet } from '../support/raw-http';

const BUCKET = 'cdn-test';
const KEY_PAIR_ID = 'TESTKEYPAIR';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const owner = ulid();
const attachment = ulid();
const avatar = ulid();
const quarantined = ulid();
const secret = 'PRIVATE-ATTACHMENT-BYTES';

let dataDir: string;
let s3Local: S3Local;
let cdn: Server;
let cdnUrl: string;

const signed = (path: string) =>
  new URL(
    getSignedUrl({
      url: `${cdnUrl}${path}`,
      keyPairId: KEY_PAIR_ID,
      privateKey: keys.privateKey,
      dateLessThan: new Date(Date.now() + 600_000),
    }),
  );

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cdn-test-'));
  s3Local = await startS3Local(dataDir, [BUCKET]);
  const s3 = new S3Client({
    endpoint: s3Local.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const put = (Key: string, Body: string, extra: { ContentType: string; ContentDisposition?: string }) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...extra }));
  await put(`attachments/${owner}/${attachment}`, secret, {
    ContentType: 'image/png',
    ContentDisposition: 'inline',
  });
  await put(`avatars/${owner}/${avatar}`, 'AVATAR', {
    ContentType: 'image/png',
    ContentDisposition: 'inline',
  });
  await put(`uploads/attachment/${owner}/${quarantined}`, `<script>${secret}</script>`, {
    ContentType: 'text/html',
  });
  s3.destroy();
  cdn = createCdnServer({
    s3Endpoint: s3Local.endpoint,
    bucket: BUCKET,
    publicKey: keys.publicKey,
    keyPairId: KEY_PAIR_ID,
  });
  cdnUrl = `http://localhost:${await listen(cdn, 0)}`;
});

afterAll(async () => {
  await closeServer(cdn);
  await s3Local.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local CDN', () => {
  it("serves user files with nosniff, a sandboxing CSP and the object's own Content-Disposition", async () => {
    const response = await rawGet(cdnUrl, `/avatars/${owner}/${avatar}`);

    expect(response.status).toBe(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(response.headers['content-disposition']).toBe('inline');
  });

  it('serves a file that carries no Content-Disposition as an attachment', async () => {
    const s3 = new S3Client({
      endpoint: s3Local.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const id = ulid();
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `avatars/${owner}/${id}`,
        Body: 'x',
        ContentType: 'text/plain',
      }),
    );
    s3.destroy();

    const response = await rawGet(cdnUrl, `/avatars/${owner}/${id}`);

    expect(response.status).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment');
  });

  it('serves a signed attachment, and refuses it unsigned', async () => {
    const url = signed(`/attachments/${owner}/${attachment}`);

    expect((await rawGet(cdnUrl, `${url.pathname}${url.search}`)).body.toString()).toBe(secret);
    expect((await rawGet(cdnUrl, url.pathname)).status).toBe(403);
  });

  it('never serves quarantine, signed or not', async () => {
    const path = `/uploads/attachment/${owner}/${quarantined}`;
    const url = signed(path);

    for (const target of [path, `${url.pathname}${url.search}`]) {
      const response = await rawGet(cdnUrl, target);
      expect(response.status, target).toBe(404);
      expect(response.body.includes(secret)).toBe(false);
    }
  });

  it.each([
    ['an encoded slash', () => `/avatars%2F..%2Fattachments/${owner}/${attachment}`],
    ['an encoded slash after ..', () => `/avatars/..%2Fattachments/${owner}/${attachment}`],
    ['encoded dots', () => `/avatars/%2e%2e/attachments/${owner}/${attachment}`],
    ['upper-case encoded dots', () => `/avatars/%2E%2E/attachments/${owner}/${attachment}`],
    ['double-encoded dots', () => `/avatars/%252e%252e/attachments/${owner}/${attachment}`],
    ['a double-encoded slash', () => `/avatars/..%252Fattachments/${owner}/${attachment}`],
    ['a backslash', () => `/avatars/..\\attachments/${owner}/${attachment}`],
    ['backslashes only', () => `/avatars\\..\\attachments\\${owner}\\${attachment}`],
    ['an encoded backslash', () => `/avatars/..%5Cattachments/${owner}/${attachment}`],
    ['a leading double slash', () => `//attachments/${owner}/${attachment}`],
    ['a double slash before ..', () => `/avatars//../attachments/${owner}/${attachment}`],
    ['plain dot segments', () => `/avatars/${owner}/../../attachments/${owner}/${attachment}`],
    ['an encoded letter in the prefix', () => `/%61ttachments/${owner}/${attachment}`],
    ['a trailing dot segment', () => `/attachments/${owner}/${attachment}/.`],
    ['dot segments into quarantine', () => `/avatars/../uploads/attachment/${owner}/${quarantined}`],
    [
      'encoded slashes into quarantine',
      () => `/avatars/${owner}/..%2F..%2Fuploads%2Fattachment%2F${owner}%2F${quarantined}`,
    ],
  ])('does not let %s reach a private file unsigned', async (_case, target) => {
    const response = await rawGet(cdnUrl, target());

    expect(response.status).not.toBe(200);
    expect(response.body.includes(secret)).toBe(false);
  });
});
