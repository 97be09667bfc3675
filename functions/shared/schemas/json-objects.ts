/**
 * valibot's object schemas, held to what a JSON object is and to how we report bad input:
 * - an array is not an object (valibot takes any `typeof value === 'object'`, so `["x"]` would be an object
 *   with an unknown key "0"; we say "must be an object", naming the field itself);
 * - a strict object names every unknown key, not only the first (a client fixes them all in one go);
 * - a free-form JSON object keeps every key but `__proto__` (valibot's record also drops "constructor" and
 *   "prototype", which are ordinary keys in JSON).
 * Each is valibot's own schema with its `~run` extended, so types, JSON Schema and messages are valibot's.
 */
import * as v from 'valibot';

type Run = v.GenericSchema['~run'];
type Dataset = ReturnType<Run>;
type Config = Parameters<Run>[1];
type IssueContext = Parameters<typeof v._addIssue>[0];

/** Wraps `schema['~run']`: arrays fail with the schema's own type issue; everything else goes to `run`. */
function jsonObjectsOnly<S extends v.GenericSchema>(
  schema: S,
  run: (this: S, dataset: Parameters<Run>[0], config: Config, base: Run) => Dataset = function (
    dataset,
    config,
    base,
  ) {
    return base.call(this, dataset, config);
  },
): S {
  const base = schema['~run'];
  (schema as { '~run': Run })['~run'] = function (this: S, dataset, config) {
    if (!Array.isArray(dataset.value)) return run.call(this, dataset, config, base);
    v._addIssue(this as unknown as IssueContext, 'type', dataset, config);
    return dataset as unknown as Dataset;
  };
  return schema;
}

/** `v.strictObject` that refuses arrays and reports every unknown key (valibot stops at the first). */
export function strictObject<const E extends v.ObjectEntries>(
  entries: E,
): v.StrictObjectSchema<E, undefined> {
  return jsonObjectsOnly(v.strictObject(entries), function (dataset, config, base) {
    const input = dataset.value as Record<string, unknown>;
    const output = base.call(this, dataset, config);
    if (!output.issues || config.abortEarly || !input || typeof input !== 'object') return output;
    let first = true;
    for (const key in input) {
      if (Object.hasOwn(this.entries, key)) continue;
      // valibot reported the first unknown key already.
      if (!first) {
        v._addIssue(this as unknown as IssueContext, 'key', output, config, {
          input: key,
          expected: 'never',
          path: [{ type: 'object', origin: 'key', input, key, value: input[key] }],
        });
      }
      first = false;
    }
    return output;
  });
}

/** `v.variant` that refuses arrays ("must be an object", as for any other non-object). */
export function variant<const K extends string, const O extends v.VariantOptions<K>>(
  key: K,
  options: O,
): v.VariantSchema<K, O, undefined> {
  return jsonObjectsOnly(v.variant(key, options));
}

/** Any JSON object (not an array): every key but `__proto__` kept, values as they are. */
export function jsonObject(): v.RecordSchema<v.StringSchema<undefined>, v.UnknownSchema, undefined> {
  return jsonObjectsOnly(v.record(v.string(), v.unknown()), function (dataset, config, base) {
    const input = dataset.value as Record<string, unknown>;
    const output = base.call(this, dataset, config);
    if (output.typed) {
      const value = output.value as Record<string, unknown>;
      for (const key of ['constructor', 'prototype']) if (Object.hasOwn(input, key)) value[key] = input[key];
    }
    return output;
  });
}
