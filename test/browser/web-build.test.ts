/** The built web app: small enough to start fast on a phone, and nothing inline for the CSP to allow. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INITIAL_JS_BUDGET_BYTES, initialJavaScript, WEB_DIST_DIR } from '../../local/web-app';

describe('the web app build', () => {
  it('keeps the initial JavaScript within 80 KB gzipped', () => {
    const scripts = initialJavaScript();
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((sum, script) => sum + script.gzipBytes, 0);
    expect(total, JSON.stringify(scripts)).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
  });

  it('has no inline script or style in index.html (the Content-Security-Policy allows none)', () => {
    const html = readFileSync(join(WEB_DIST_DIR, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
  });
});
