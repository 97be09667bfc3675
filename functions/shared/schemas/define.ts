/**
 * How a schema module declares its schemas so that each route's bundle keeps only the ones it uses:
 *
 *   export const fooSchema = /* @__PURE__ *\/ defineSchema(() => z.strictObject({ ... }));
 *
 * Building a schema calls functions, and a bundler must keep any module-level call it cannot prove free of
 * side effects, so every route would carry every schema of the modules it touches. The annotation tells
 * esbuild the call may be dropped when its result is unused; the thunk keeps the calls inside it from being
 * evaluated for their own sake. (esbuild honours annotations at call sites only, so each declaration needs
 * its own.) The bundle budget test checks that every schema and route module bundles to nothing when nothing
 * of it is used.
 */
export const defineSchema = <T>(build: () => T): T => build();
