/**
 * Every function's bundle, built as the stack builds it (lib/bundling.ts), against the floor of what it must
 * carry anyway: the bare DynamoDB document client (bench/floors/). Used by the bundle budget test (sizes, which
 * are deterministic) and by `npm run bench` (sizes and import times, side by side with the floors).
 *
 * Budgets, from what each function's entry in the route tables declares:
 * - touches the table: at most 1.15x the DynamoDB floor; also presigns uploads: 1.15x the DynamoDB + S3 floor;
 * - touches no AWS service (health, openapi, the JWKS, ping): at most 60 KB.
 * The stream consumer and the upload check are reported, not budgeted (they are off the request path).
 */
import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { newTokenKeySet, publicJwks } from '../functions/shared/auth/token-keys';
import type { BuildConstant, RouteDefinition } from '../functions/shared/route-definition';
import { routes } from '../functions/shared/routes';
import { webSocketRoutes } from '../functions/shared/ws-routes';
import { defineFor, esbuildOptions } from '../lib/bundling';

export const FLOOR_RATIO = 1.15;
export const NO_AWS_BUDGET_BYTES = 60_000;

/**
 * Routes not yet within 1.15x of the floor, each with the ceiling it may not pass meanwhile (a ratchet: the
 * budget test fails when one grows past its ceiling, and when one fits the budget again, so the entry is
 * removed). Empty since the schemas moved to valibot (docs/performance.md). Do not add entries: make the
 * route fit.
 */
export const OVER_BUDGET_CEILINGS: Readonly<Record<string, number>> = {};

export const FLOORS = {
  dynamodb: 'bench/floors/dynamodb.ts',
  'dynamodb-s3-presign': 'bench/floors/dynamodb-s3-presign.ts',
} as const;
export type FloorName = keyof typeof FLOORS;

/** A multiple of a floor's size, or a fixed number of bytes; undefined: reported only. */
export type Budget = { floor: FloorName } | { maxBytes: number } | undefined;

export interface FunctionBundle {
  /** `http/send-message`, `ws/connect`, `streams/table-stream`, ... (the entry's path under functions/). */
  name: string;
  entry: string;
  budget: Budget;
  buildConstants: readonly BuildConstant[];
}

/** What a function may weigh follows from what its route declares it touches. */
export function budgetFor(access: { table: readonly unknown[]; presignUploads?: boolean }): Budget {
  if (access.presignUploads) return { floor: 'dynamodb-s3-presign' };
  if (access.table.length > 0) return { floor: 'dynamodb' };
  return { maxBytes: NO_AWS_BUDGET_BYTES };
}

export function functionBundles(): FunctionBundle[] {
  const http = (route: RouteDefinition): FunctionBundle => ({
    name: `http/${route.name}`,
    entry: `functions/http/${route.name}.ts`,
    budget: budgetFor(route.access),
    buildConstants: route.buildConstants ?? [],
  });
  return [
    ...routes.map(http),
    ...webSocketRoutes.map((route) => ({
      name: `ws/${route.name}`,
      entry: `functions/ws/${route.name}.ts`,
      budget: budgetFor(route.access),
      buildConstants: [],
    })),
    ...['streams/table-stream', 'streams/presence-recheck', 's3/media-uploaded'].map((name) => ({
      name,
      entry: `functions/${name}.ts`,
      budget: undefined,
      buildConstants: [],
    })),
  ];
}

export interface BuiltBundle {
  name: string;
  /** The bundle (`.mjs`); its source map sits beside it. */
  file: string;
  bytes: number;
  /** Bytes each input (source file or package file) contributes to the output. */
  inputs: Record<string, number>;
}

export interface BuiltFunction extends FunctionBundle, BuiltBundle {
  /** The size budget in bytes; undefined for reported-only functions. */
  limitBytes: number | undefined;
  /** For the routes of OVER_BUDGET_CEILINGS: the ceiling they may not pass while over budget. */
  ceilingBytes: number | undefined;
}

export interface BundleBuild {
  floors: Record<FloorName, BuiltBundle>;
  functions: BuiltFunction[];
}

async function buildGroup(
  entries: Record<string, string>,
  outDir: string,
  constants: readonly BuildConstant[],
  asDeployed = true,
): Promise<Map<string, BuiltBundle>> {
  const result = await build({
    ...esbuildOptions(defineFor(constants), asDeployed),
    entryPoints: entries,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
  });
  const built = new Map<string, BuiltBundle>();
  const outputs = result.metafile.outputs as Metafile['outputs'];
  for (const name of Object.keys(entries)) {
    const file = resolve(outDir, `${name}.mjs`);
    const output = Object.entries(outputs).find(([path]) => resolve(path) === file)?.[1];
    if (!output) throw new Error(`esbuild wrote no ${file}`);
    const inputs = Object.fromEntries(
      Object.entries(output.inputs).map(([path, input]) => [path, input.bytesInOutput]),
    );
    built.set(name, { name, file, bytes: (await stat(file)).size, inputs });
  }
  return built;
}

/** Builds the floors and every function, in parallel (one esbuild build per set of build constants). */
export async function buildBundles(outDir: string): Promise<BundleBuild> {
  await mkdir(outDir, { recursive: true });
  const bundles = functionBundles();
  const groups = new Map<string, FunctionBundle[]>();
  for (const bundle of bundles) {
    const key = bundle.buildConstants.join(',');
    groups.set(key, [...(groups.get(key) ?? []), bundle]);
  }
  const floorEntries = Object.fromEntries(
    Object.entries(FLOORS).map(([name, entry]) => [`floor/${name}`, entry]),
  );
  const built = await Promise.all([
    buildGroup(floorEntries, outDir, [], false),
    ...[...groups.values()].map((group) =>
      buildGroup(
        Object.fromEntries(group.map((bundle) => [bundle.name, bundle.entry])),
        outDir,
        group[0]?.buildConstants ?? [],
      ),
    ),
  ]);
  const all = new Map(built.flatMap((group) => [...group]));
  const get = (name: string) => {
    const bundle = all.get(name);
    if (!bundle) throw new Error(`no bundle ${name}`);
    return bundle;
  };
  const floors = Object.fromEntries(
    Object.keys(FLOORS).map((name) => [name, get(`floor/${name}`)]),
  ) as Record<FloorName, BuiltBundle>;
  return {
    floors,
    functions: bundles.map((bundle) => ({
      ...bundle,
      ...get(bundle.name),
      limitBytes: limitOf(bundle.budget, floors),
      ceilingBytes: OVER_BUDGET_CEILINGS[bundle.name],
    })),
  };
}

function limitOf(budget: Budget, floors: Record<FloorName, BuiltBundle>): number | undefined {
  if (!budget) return undefined;
  if ('maxBytes' in budget) return budget.maxBytes;
  return Math.floor(floors[budget.floor].bytes * FLOOR_RATIO);
}

/** Groups a bundle's bytes by package (`valibot`, `@smithy/core`) or, for our own code, by file. */
export function composition(bundle: BuiltBundle): [string, number][] {
  const groups = new Map<string, number>();
  for (const [path, bytes] of Object.entries(bundle.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const key = pkg ?? path;
    groups.set(key, (groups.get(key) ?? 0) + bytes);
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

// Import times: a fresh Node process per sample, the floors measured in every round between the functions, so
// a busy machine slows both alike. Wall time is what a cold start waits for; CPU time (the process's user +
// system time during the import) is what the import costs, and is far steadier on a shared machine.

/** What the functions read at load; values are placeholders (nothing is called). */
const IMPORT_ENVIRONMENT = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'bench',
  MEDIA_BUCKET: 'bench-media',
  CDN_BASE_URL: 'https://cdn.example.com',
  CDN_KEY_PAIR_ID: 'K2BENCH',
  WEBSOCKET_CALLBACK_URL: 'https://ws.example.com/v1',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  // Functions that verify tokens refuse to load without it.
  TOKEN_JWKS: JSON.stringify(publicJwks(newTokenKeySet(1))),
};

const PROBE = `const cpu = process.cpuUsage();
const started = performance.now();
await import(process.argv[2]);
const wall = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000 }));`;

const run = promisify(execFile);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

export interface ImportTime {
  /** Median wall-clock milliseconds of `await import(bundle)` in a fresh process. */
  wall: number;
  /** Median CPU milliseconds the process spent during that import. */
  cpu: number;
}

/** Median import times of each file over `rounds` rounds, each round importing every file once, in order. */
export async function importTimes(
  files: string[],
  rounds: number,
  env: Record<string, string> = {},
): Promise<Map<string, ImportTime>> {
  const probe = join(resolve(files[0] ?? '.', '..'), 'import-probe.mjs');
  await writeFile(probe, PROBE);
  const samples = new Map(files.map((file) => [file, [] as ImportTime[]]));
  for (let round = 0; round < rounds; round++) {
    for (const file of files) {
      const { stdout } = await run(process.execPath, [probe, file], {
        env: { ...process.env, ...IMPORT_ENVIRONMENT, ...env },
      });
      samples.get(file)?.push(JSON.parse(stdout) as ImportTime);
    }
  }
  return new Map(
    [...samples].map(([file, values]) => [
      file,
      { wall: median(values.map((value) => value.wall)), cpu: median(values.map((value) => value.cpu)) },
    ]),
  );
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1);

/** The bench's table: every function beside its floor, size and import time, those over budget marked. */
export async function bundleReport(outDir: string, rounds = Number(process.env.BENCH_IMPORT_ROUNDS ?? 11)) {
  const { floors, functions } = await buildBundles(outDir);
  const floorList = Object.values(floors);
  const times = await importTimes(
    [...floorList.map((floor) => floor.file), ...functions.map((fn) => fn.file)],
    rounds,
  );
  const time = (file: string): ImportTime => times.get(file) ?? { wall: Number.NaN, cpu: Number.NaN };
  const lines = [
    `Import: median of ${rounds} fresh \`node\` processes per bundle, the floors and the functions interleaved.`,
    'Budgets: size (checked by the bundle budget test too) and import CPU time, each at most 1.15x the floor.',
    '',
    '| function | KB | × floor | budget KB | import ms | × floor | import CPU ms | × floor | |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const [name, floor] of Object.entries(floors)) {
    const { wall, cpu } = time(floor.file);
    lines.push(
      `| floor: ${name} | ${kb(floor.bytes)} | 1.00 | | ${wall.toFixed(1)} | 1.00 | ${cpu.toFixed(1)} | 1.00 | |`,
    );
  }
  for (const fn of functions) {
    const floor = fn.budget && 'floor' in fn.budget ? floors[fn.budget.floor] : floors.dynamodb;
    const { wall, cpu } = time(fn.file);
    const floorTime = time(floor.file);
    const cpuRatio = cpu / floorTime.cpu;
    const overSize = fn.limitBytes !== undefined && fn.bytes > fn.limitBytes;
    const overTime = fn.budget !== undefined && 'floor' in fn.budget && cpuRatio > FLOOR_RATIO;
    const marks = [overSize ? 'OVER size budget' : '', overTime ? 'OVER import budget' : ''].filter(Boolean);
    const budget = fn.limitBytes === undefined ? 'report' : kb(fn.limitBytes);
    lines.push(
      `| ${fn.name} | ${kb(fn.bytes)} | ${(fn.bytes / floor.bytes).toFixed(2)} | ${budget} | ${wall.toFixed(1)} | ${(wall / floorTime.wall).toFixed(2)} | ${cpu.toFixed(1)} | ${cpuRatio.toFixed(2)} | ${marks.join(', ') || (fn.budget ? 'ok' : '')} |`,
    );
  }
  return lines.join('\n');
}
