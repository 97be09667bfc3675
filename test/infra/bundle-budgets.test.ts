/**
 * Every function's bundle, built as the stack builds it (lib/bundling.ts), against its size budget
 * (bench/bundles.ts): at most 1.15x the floor of what it must carry anyway (the bare DynamoDB document client,
 * built here too), or 60 KB for functions that touch no AWS service. Sizes are deterministic, so this is a
 * test; import times are in `npm run bench`. Also checks what keeps bundles small: each route's bundle holds
 * no other route, and the route and schema modules can be dropped piece by piece.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltFunction,
  type BundleBuild,
  buildBundles,
  composition,
  FLOOR_RATIO,
  functionBundles,
  OVER_BUDGET_CEILINGS,
} from '../../bench/bundles';
import { buildOpenApiDocument } from '../../functions/shared/openapi';
import { routes } from '../../functions/shared/routes';
import { esbuildOptions } from '../../lib/bundling';
import { httpEvent, lambdaContext } from '../support/events';

let built: BundleBuild;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

/** What to read when a bundle is over: its largest parts. */
const largestParts = (fn: BuiltFunction) =>
  composition(fn)
    .slice(0, 8)
    .map(([part, bytes]) => `${part} ${kb(bytes)}`)
    .join(', ');

beforeAll(async () => {
  built = await buildBundles(mkdtempSync(join(tmpdir(), 'chat-budgets-')));
});

const budgeted = functionBundles().filter((fn) => fn.budget !== undefined);

describe('bundle size budgets', () => {
  it('builds the floors the budgets are multiples of: the bare DynamoDB client, and with the S3 presigner', () => {
    expect(built.floors.dynamodb.bytes).toBeGreaterThan(200_000);
    expect(built.floors['dynamodb-s3-presign'].bytes).toBeGreaterThan(built.floors.dynamodb.bytes);
  });

  it.each(budgeted.filter((fn) => !(fn.name in OVER_BUDGET_CEILINGS)).map((fn) => [fn.name]))(
    'keeps %s within its size budget',
    (name) => {
      const fn = built.functions.find((candidate) => candidate.name === name) as BuiltFunction;

      expect(
        fn.bytes,
        `${name} is ${kb(fn.bytes)}, over its budget of ${kb(fn.limitBytes ?? 0)}. Largest parts: ${largestParts(fn)}`,
      ).toBeLessThanOrEqual(fn.limitBytes ?? 0);
    },
  );

  it.each(Object.keys(OVER_BUDGET_CEILINGS).map((name) => [name]))(
    'keeps %s, not yet within budget, under its ceiling, and is told when it fits again',
    (name) => {
      const fn = built.functions.find((candidate) => candidate.name === name) as BuiltFunction;

      expect(
        fn.bytes,
        `${name} grew to ${kb(fn.bytes)}. Largest parts: ${largestParts(fn)}`,
      ).toBeLessThanOrEqual(fn.ceilingBytes ?? 0);
      expect(
        fn.bytes,
        `${name} fits its budget now: remove it from OVER_BUDGET_CEILINGS in bench/bundles.ts`,
      ).toBeGreaterThan(fn.limitBytes ?? 0);
    },
  );

  it('budgets every HTTP and WebSocket route: 1.15x its floor when it touches AWS, else 60 KB', () => {
    for (const fn of built.functions.filter((candidate) => /^(http|ws)\//.test(candidate.name))) {
      expect(fn.limitBytes, fn.name).toBeDefined();
      if (fn.budget && 'floor' in fn.budget) {
        expect(fn.limitBytes).toBe(Math.floor(built.floors[fn.budget.floor].bytes * FLOOR_RATIO));
      } else {
        expect(fn.limitBytes).toBe(60_000);
      }
    }
  });
});

describe('what keeps route bundles small', () => {
  it("leaves every other route's definition out of a route's bundle", () => {
    const summaries = routes.map((route) => route.summary);
    expect(new Set(summaries).size).toBe(summaries.length);

    for (const route of routes) {
      const fn = built.functions.find(
        (candidate) => candidate.name === `http/${route.name}`,
      ) as BuiltFunction;
      const text = readFileSync(fn.file, 'utf8');
      const others = routes.filter(
        (other) => other !== route && text.includes(JSON.stringify(other.summary).slice(1, -1)),
      );
      expect(
        others.map((other) => other.name),
        `in the bundle of ${route.name}`,
      ).toEqual([]);
    }
  });

  const modules = ['routes', 'schemas'].flatMap((folder) =>
    readdirSync(join('functions/shared', folder))
      .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
      .map((file) => `functions/shared/${folder}/${file}`),
  );

  it.each(modules.map((module) => [module]))(
    'can drop everything of %s that a bundle does not use (nothing in it runs for its own sake)',
    async (module) => {
      const result = await build({
        ...esbuildOptions(),
        banner: {},
        sourcemap: false,
        stdin: { contents: `import './${module}';`, resolveDir: process.cwd(), loader: 'ts' },
        write: false,
      });

      expect(result.outputFiles[0]?.text.trim(), `${module} keeps code for its side effects`).toBe('');
    },
  );

  it('serves the full OpenAPI document from the bundle, where it is embedded at build time', async () => {
    process.env.TABLE_NAME ??= 'bundle-test';
    const fn = built.functions.find((candidate) => candidate.name === 'http/openapi') as BuiltFunction;
    const { handler } = (await import(pathToFileURL(fn.file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };

    const response = await handler(httpEvent({ routeKey: 'GET /openapi.json' }), lambdaContext);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(readFileSync(fn.file, 'utf8')).not.toContain('to JSON Schema');
  });
});
