/**
 * Bundles each function as the stack does (esbuild, ESM, minified, SDK included) and reports size and the time
 * to load the module in a fresh Node process: a proxy for the cold-start cost our own code adds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { routes } from '../functions/shared/routes';

const extraEntries = ['functions/streams/table-stream.ts', 'functions/s3/media-uploaded.ts'];

export async function bundleReport(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'chat-bundles-'));
  const entries = [...routes.map((route) => `functions/http/${route.name}.ts`), ...extraEntries];
  const probe = join(outDir, 'probe.mjs');
  writeFileSync(
    probe,
    'const t = performance.now(); await import(process.argv[2]); console.log((performance.now() - t).toFixed(1));',
  );
  const lines = ['| function | KB | load ms |', '|---|---:|---:|'];
  for (const entry of entries) {
    const outfile = join(outDir, `${entry.replaceAll('/', '_')}.mjs`);
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      mainFields: ['module', 'main'],
      outfile,
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    const loadMs = execFileSync(process.execPath, [probe, outfile], {
      env: { ...process.env, TABLE_NAME: 'bench', AWS_REGION: 'us-east-1' },
    })
      .toString()
      .trim();
    lines.push(
      `| ${entry.replace('functions/', '')} | ${Math.round(statSync(outfile).size / 1024)} | ${loadMs} |`,
    );
  }
  return lines.join('\n');
}
