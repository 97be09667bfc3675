/** The local web server (`npm start`) serves the built app the way CloudFront does on AWS. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebServer } from '../../local/web-app';

let distDir: string;
let server: Server;
let url: string;
const config = {
  apiUrl: 'http://localhost:3000',
  wsUrl: 'ws://localhost:3001',
  cdnUrl: 'http://localhost:3002',
};

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'web-dist-'));
  await mkdir(join(distDir, 'assets'));
  await writeFile(join(distDir, 'index.html'), '<!doctype html><div id="app"></div>');
  await writeFile(join(distDir, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(distDir, '.build-hash'), 'secret-ish');
  server = createWebServer({ distDir, config: () => config, uploadsUrl: () => 'http://127.0.0.1:9000' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(distDir, { recursive: true, force: true });
});

describe('the local web server', () => {
  it('serves /config.json pointing at the local stack, never cached stale', async () => {
    const response = await fetch(`${url}/config.json`);
    expect(await response.json()).toEqual(config);
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves index.html for every app path (SPA fallback)', async () => {
    for (const path of ['/', '/login', '/c/01JD3Q4Z8X6M3V2C1B0A9S8D7F', '/c/x/settings']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toContain('text/html');
    }
  });

  it('answers a missing file with 404, not with the app', async () => {
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
  });

  it('serves hashed assets as immutable and keeps dot-files and paths outside the build private', async () => {
    const asset = await fetch(`${url}/assets/index-abc.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${url}/.build-hash`)).status).toBe(404);
    // A raw path (fetch would normalize the dots away before sending).
    const traversal = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      get(`${url}/..%2f..%2fetc%2fpasswd.txt`, (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, body }));
      }).on('error', reject);
    });
    expect(traversal.status).toBe(404);
    expect(traversal.body).not.toContain('root:');
  });

  it('sends the same security headers as CloudFront, with a CSP naming the local API, WebSocket, CDN and S3', async () => {
    const response = await fetch(`${url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(
      "connect-src 'self' http://localhost:3000 ws://localhost:3001 http://127.0.0.1:9000",
    );
    expect(csp).toContain("img-src 'self' blob: data: http://localhost:3002");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('refuses to change anything', async () => {
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(405);
  });
});
