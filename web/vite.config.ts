/**
 * Builds the web app (`npm start` builds it when stale; `npm run dev` serves it with hot reload). In dev,
 * /config.json points at a local API started with `npm start` (PORT, default 3000).
 */
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';
import type { WebRuntimeConfig } from './hosting';

function devRuntimeConfig(): Plugin {
  const port = Number(process.env.PORT ?? 3000);
  const config: WebRuntimeConfig = {
    apiUrl: process.env.API_URL ?? `http://localhost:${port}`,
    wsUrl: process.env.WS_URL ?? `ws://localhost:${Number(process.env.WS_PORT ?? port + 1)}`,
    cdnUrl: process.env.CDN_URL ?? `http://localhost:${Number(process.env.CDN_PORT ?? port + 2)}`,
  };
  return {
    name: 'chat-dev-runtime-config',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/config.json', (_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.setHeader('cache-control', 'no-store');
        response.end(JSON.stringify(config));
      });
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  // Production builds have no dev tooling; prerendering is not used (the app needs a signed-in user).
  plugins: [preact({ prerender: { enabled: false } }), devRuntimeConfig()],
  server: { port: Number(process.env.VITE_PORT ?? 5173), strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser the app supports preloads modules natively; the polyfill would be inline-able code.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
});
