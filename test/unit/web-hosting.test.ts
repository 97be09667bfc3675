import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SPA_REWRITE_FUNCTION } from '../../lib/constructs/web-app';
import { contentSecurityPolicy } from '../../web/hosting';

describe('the SPA rewrite (CloudFront Function)', () => {
  const rewrite = (uri: string): string => {
    const handler = runInNewContext(`${SPA_REWRITE_FUNCTION}; handler`) as (event: unknown) => {
      uri: string;
    };
    return handler({ request: { uri, method: 'GET', headers: {} } }).uri;
  };

  it('serves index.html for app paths', () => {
    for (const path of ['/', '/login', '/c/01JD3Q4Z8X6M3V2C1B0A9S8D7F', '/c/abc/settings', '/new/chat']) {
      expect(rewrite(path), path).toBe('/index.html');
    }
  });

  it('serves files as they are, so a missing asset is not answered with HTML', () => {
    for (const path of ['/config.json', '/assets/index-abc123.js', '/favicon.svg', '/assets/missing.css']) {
      expect(rewrite(path), path).toBe(path);
    }
  });
});

describe('the Content-Security-Policy', () => {
  const policy = contentSecurityPolicy({
    api: 'https://api.example',
    webSocket: 'wss://ws.example',
    cdn: 'https://cdn.example',
    uploads: 'https://bucket.s3.example',
  });
  const directive = (name: string) =>
    policy
      .split('; ')
      .find((part) => part.startsWith(`${name} `))
      ?.split(' ')
      .slice(1);

  it('allows scripts and styles only from the app itself: nothing inline, no eval', () => {
    expect(directive('script-src')).toEqual(["'self'"]);
    expect(directive('style-src')).toEqual(["'self'"]);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(directive('default-src')).toEqual(["'none'"]);
  });

  it('lets the app connect only to the API, the WebSocket API and the upload endpoint', () => {
    expect(directive('connect-src')).toEqual([
      "'self'",
      'https://api.example',
      'wss://ws.example',
      'https://bucket.s3.example',
    ]);
  });

  it('shows pictures and videos only from the CDN (and local previews), and cannot be framed', () => {
    expect(directive('img-src')).toEqual(["'self'", 'blob:', 'data:', 'https://cdn.example']);
    expect(directive('media-src')).toEqual(["'self'", 'blob:', 'https://cdn.example']);
    expect(directive('frame-ancestors')).toEqual(["'none'"]);
    expect(directive('object-src')).toEqual(["'none'"]);
  });
});
