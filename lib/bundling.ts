/**
 * How every function is bundled, described once: the house ChatFunction hands these settings to CDK's esbuild
 * bundling, and the bundle budget test and `npm run bench` hand them to esbuild's API, so what is measured is
 * what is deployed.
 */
import type { BuildOptions } from 'esbuild';
import { compressedOpenApiDocument } from '../functions/shared/openapi';
import type { BuildConstant } from '../functions/shared/route-definition';

// Some bundled packages still call require(); ESM output needs it defined.
export const REQUIRE_SHIM =
  "import { createRequire as __chatCreateRequire } from 'node:module'; const require = __chatCreateRequire(import.meta.url);";

export const bundleSettings = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // ESM builds of packages that ship both: esbuild tree-shakes them far better than CommonJS.
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  // On Lambda, credentials come from the environment only: the SDK's default chain is replaced by that one link
  // (see the module for why; ~80 KB less in every function). A relative path: esbuild resolves it from the
  // project root, where CDK runs it too.
  alias: { '@aws-sdk/credential-provider-node': './functions/shared/aws/lambda-credentials.ts' },
} as const;

/**
 * Build constants (see `BuildConstant`) replace a global identifier of the same name (esbuild's `define`).
 * The local stack sets the same globals, so the code path is the same on a laptop and on AWS.
 */
const buildConstants: Record<BuildConstant, () => string> = {
  // The OpenAPI document, generated from the route table, as base64 of its brotli-compressed JSON.
  OPENAPI_DOCUMENT_BROTLI: compressedOpenApiDocument,
};

export const buildConstantValue = (name: BuildConstant): string => buildConstants[name]();

/** `define` entries (identifier -> JS expression) for the given build constants. */
export function defineFor(constants: readonly BuildConstant[] = []): Record<string, string> {
  return Object.fromEntries(constants.map((name) => [name, JSON.stringify(buildConstantValue(name))]));
}

/**
 * For running handlers unbundled (the local stack, tests): sets each build constant as the global a bundle
 * would have it replaced with. Call before importing the handlers.
 */
export function provideBuildConstants(constants: readonly BuildConstant[]): void {
  const globals = globalThis as Record<string, unknown>;
  for (const name of constants) globals[name] ??= buildConstantValue(name);
}

/**
 * esbuild API options equivalent to what CDK runs for a ChatFunction (`esbuild --bundle ...`). The bench's
 * floors are built `asDeployed: false`: the bare SDK client as anyone would bundle it, with its default chain.
 */
export function esbuildOptions(define: Record<string, string> = {}, asDeployed = true): BuildOptions {
  return {
    bundle: true,
    format: bundleSettings.format,
    platform: bundleSettings.platform,
    target: bundleSettings.target,
    minify: bundleSettings.minify,
    sourcemap: bundleSettings.sourceMap,
    sourcesContent: bundleSettings.sourcesContent,
    mainFields: [...bundleSettings.mainFields],
    banner: { js: bundleSettings.banner },
    define,
    ...(asDeployed ? { alias: { ...bundleSettings.alias } } : {}),
    // The AWS SDK is bundled (bundleAwsSDK), and nothing is external: the bundle is the whole function.
    external: [],
    logLevel: 'error',
  };
}
