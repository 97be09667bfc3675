/**
 * The web app on this machine: builds it when its sources changed since the last build (a content hash, so a
 * fresh clone builds once and later starts skip it), and serves the build the way CloudFront does on AWS:
 * /config.json pointing at the local stack, the same security headers, index.html for every app path.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { contentSecurityPolicy, originOf, SECURITY_HEADERS, type WebRuntimeConfig } from '../web/hosting';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIR = join(projectRoot, 'web');
export const WEB_DIST_DIR = join(WEB_DIR, 'dist');
const STAMP_FILE = '.build-hash';
const LOCK_DIR = join(WEB_DIR, '.build-lock');

/** Everything a build depends on: the app, the generated client, the build config and the locked dependencies. */
const BUILD_INPUTS = [
  'web/index.html',
  'web/src',
  'web/public',
  'web/hosting.ts',
  'web/vite.config.ts',
  'client',
  'package-lock.json',
];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(join(path, entry.name)));
}

/** A hash of every build input's path and content. */
export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const input of BUILD_INPUTS) {
    for (const file of filesUnder(join(projectRoot, input))) {
      hash.update(relative(projectRoot, file).split(sep).join('/'));
      hash.update('\0');
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

export function isWebBuildFresh(): boolean {
  const stamp = join(WEB_DIST_DIR, STAMP_FILE);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === webSourceHash();
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than two minutes was left by a build that died.
      const age = Date.now() - (await stat(LOCK_DIR).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 120_000) await rm(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another web build (${LOCK_DIR})`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * Builds web/dist unless it is current. Safe to call from several processes at once (a test run, a synth):
 * one builds, into a temporary directory swapped in at the end, and the others wait and find it current.
 */
export async function ensureWebBuild(
  log: (message: string) => void = () => undefined,
): Promise<'fresh' | 'built'> {
  if (isWebBuildFresh()) return 'fresh';
  return withBuildLock(async () => {
    if (isWebBuildFresh()) return 'fresh';
    const hash = webSourceHash();
    const started = Date.now();
    log('Building the web app…');
    const { build } = await import('vite');
    const outDir = join(WEB_DIR, `.dist-${process.pid}`);
    await build({
      configFile: join(WEB_DIR, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
    await writeFile(join(outDir, STAMP_FILE), hash);
    await rm(WEB_DIST_DIR, { recursive: true, force: true });
    await rename(outDir, WEB_DIST_DIR);
    log(`Built the web app in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return 'built';
  });
}

/** The synchronous variant for CDK bundling (constructs are built synchronously): a child process builds. */
export function ensureWebBuildSync(): void {
  if (isWebBuildFresh()) return;
  const tsx = join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(process.execPath, [tsx, join(projectRoot, 'scripts', 'build-web.ts')], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('The web app build failed (see above).');
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface WebServerOptions {
  distDir?: string;
  /** Read per request: the API's URLs may be known only after this server listens (CORS needs its origin). */
  config: () => WebRuntimeConfig | undefined;
  /** Where presigned uploads go (s3rver locally), for the CSP's connect-src. */
  uploadsUrl: () => string | undefined;
}

/** Serves the built app like the CloudFront distribution: security headers, SPA fallback, cache rules. */
export function createWebServer(options: WebServerOptions): Server {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  return createServer(async (request, response) => {
    try {
      const config = options.config();
      const uploads = options.uploadsUrl();
      if (!config || !uploads) {
        response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
        return response.end('Starting…\n');
      }
      const headers: Record<string, string> = {
        ...SECURITY_HEADERS,
        'content-security-policy': contentSecurityPolicy({
          api: originOf(config.apiUrl),
          webSocket: originOf(config.wsUrl),
          cdn: originOf(config.cdnUrl),
          uploads: originOf(uploads),
        }),
      };
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { ...headers, allow: 'GET, HEAD' });
        return response.end();
      }
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      if (path === '/config.json') {
        response.writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'cache-control': 'no-cache',
        });
        return response.end(request.method === 'HEAD' ? undefined : JSON.stringify(config));
      }
      let file = resolve(distDir, `.${path}`);
      const inside = file === distDir || file.startsWith(distDir + sep);
      if (!inside || path.split('/').some((part) => part.startsWith('.'))) {
        response.writeHead(404, { ...headers, 'content-type': 'text/plain' });
        return response.end('Not Found\n');
      }
      const isFile = await stat(file).then(
        (info) => info.isFile(),
        () => false,
      );
      if (!isFile) {
        // SPA fallback: an app path (no file extension) gets index.html; a missing asset is a real 404.
        if (extname(path)) {
          response.writeHead(404, { ...headers, 'content-type': 'text/plain' });
          return response.end('Not Found\n');
        }
        file = join(distDir, 'index.html');
      }
      const body = await readFile(file);
      const immutable = relative(distDir, file).startsWith(`assets${sep}`);
      response.writeHead(200, {
        ...headers,
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': String(body.length),
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      console.error('[web] failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end();
    }
  });
}

export interface ServedWebApp<Api> {
  api: Api;
  /** e.g. `http://localhost:3003`. */
  webUrl: string;
  stop(): Promise<void>;
}

interface BackendUrls {
  url: string;
  wsUrl: string;
  cdnUrl: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

/**
 * Serves the built app on `port` and starts the backend with CORS allowing the app's origin (known only
 * once the app's server listens), plus `extraOrigins`; then points /config.json at the backend.
 */
export async function serveWebApp<Api extends BackendUrls>(
  startBackend: (allowedOrigins: string[]) => Promise<Api>,
  options: { port?: number; extraOrigins?: readonly string[] } = {},
): Promise<ServedWebApp<Api>> {
  let config: WebRuntimeConfig | undefined;
  let uploads: string | undefined;
  const server = createWebServer({ config: () => config, uploadsUrl: () => uploads });
  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : 0);
    });
  });
  const closeWeb = () =>
    new Promise<void>((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    });
  try {
    const api = await startBackend([
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      ...(options.extraOrigins ?? []),
    ]);
    config = { apiUrl: api.url, wsUrl: api.wsUrl, cdnUrl: api.cdnUrl };
    uploads = api.s3Endpoint;
    return {
      api,
      webUrl: `http://localhost:${port}`,
      async stop() {
        await closeWeb();
        await api.stop();
      },
    };
  } catch (error) {
    await closeWeb();
    throw error;
  }
}

/** The initial-JavaScript budget of the web app, gzipped (what a first visit downloads before it runs). */
export const INITIAL_JS_BUDGET_BYTES = 80 * 1024;

/**
 * The scripts a first load fetches before the app runs (the entry module and the chunks index.html preloads),
 * with their raw and gzipped sizes. Chunks loaded later with import() are not counted.
 */
export function initialJavaScript(
  distDir = WEB_DIST_DIR,
): { file: string; bytes: number; gzipBytes: number }[] {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((match) => match[1] as string);
  return [...new Set(files)].map((file) => {
    const content = readFileSync(join(distDir, file));
    return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
}
