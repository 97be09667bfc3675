/**
 * How a schema module declares its schemas so that each route's bundle keeps only the ones it uses:
 *
 *   export const fooSchema = /* @__PURE__ *\/ defineSchema(() => v.pipe(strictObject({ ... }), ...));
 *
 * Building a schema calls functions, and a bundler must keep any module-level call it cannot prove free of
 * side effects, so every route would carry every schema of the modules it touches. valibot marks its own
 * functions `@__NO_SIDE_EFFECTS__`, but not our helpers (`strictObject`, `singleLineText`); the annotation
 * tells esbuild the call may be dropped when its result is unused, and the thunk keeps the calls inside it
 * from being evaluated for their own sake. (esbuild honours annotations at call sites only, so each
 * declaration needs its own.) The bundle budget test checks that every schema and route module bundles to
 * nothing when nothing of it is used.
 *
 * A schema that is a named component of the OpenAPI document ends its pipe with `v.metadata({ id: 'Name' })`
 * (and its `description`, if any); the generator (../openapi.ts) finds those and refers to them by `$ref`.
 */
export const defineSchema = <T>(build: () => T): T => build();
