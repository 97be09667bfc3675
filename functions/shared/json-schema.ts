/**
 * JSON Schema from our valibot schemas (with `@valibot/to-json-schema`), for the OpenAPI document and the
 * generated client. A schema whose pipe carries `v.metadata({ id })` is a named component: it is written
 * once under its id and referred to by `$ref` wherever it appears. Build-time code only: no function bundles it.
 */
import { type ConversionConfig, type JsonSchema, toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';

export type { JsonSchema };

/**
 * `input`: what a client sends (request bodies); `output`: what a schema produces (responses and events, and
 * parameters, whose value is documented rather than its text: `limit` is an integer, 1 to 100).
 */
export type SchemaMode = 'input' | 'output';

type AnySchema = v.GenericSchema;
type Node = Record<string, unknown>;

const isSchema = (value: unknown): value is AnySchema =>
  typeof value === 'object' && value !== null && (value as Node).kind === 'schema';

/** The component id a schema declares in its own pipe (`v.metadata({ id })`), if any. */
function componentId(schema: AnySchema): string | undefined {
  const pipe = (schema as unknown as Node).pipe as Node[] | undefined;
  for (const item of pipe ?? []) {
    const id = (item.metadata as Node | undefined)?.id;
    if (item.type === 'metadata' && typeof id === 'string') return id;
  }
  return undefined;
}

/** Every named schema reachable from `schema`, in the order first met (depth first). */
function namedSchemas(schema: AnySchema, found: Map<string, AnySchema>, seen = new Set<AnySchema>()) {
  if (seen.has(schema)) return found;
  seen.add(schema);
  const id = componentId(schema);
  if (id !== undefined) {
    const other = found.get(id);
    if (other && other !== schema) throw new Error(`Two different schemas are named ${id}`);
    found.set(id, schema);
  }
  const node = schema as unknown as Node;
  const children = [
    ...((node.pipe as unknown[] | undefined) ?? []),
    ...Object.values((node.entries as Node | undefined) ?? {}),
    ...(Array.isArray(node.options) ? node.options : []),
    node.item,
    node.wrapped,
    node.key,
    node.value,
    node.rest,
  ];
  for (const child of children) if (isSchema(child)) namedSchemas(child, found, seen);
  return found;
}

const isPlainType = (schema: unknown): schema is { type: string } =>
  typeof schema === 'object' &&
  schema !== null &&
  Object.keys(schema).length === 1 &&
  typeof (schema as Node).type === 'string';

/**
 * What valibot's converter is told beyond the defaults, so the document reads as it always has:
 * - refinements (`v.check`, and `v.rawTransform` that checks and normalises), `v.trim` and `v.toNumber` say
 *   nothing a JSON Schema can;
 * - an object that strips unknown fields (`v.object`) produces none: as output, `additionalProperties: false`;
 * - no empty `required`; a nullable plain type as a type list (`["string", "null"]`); a literal's type
 *   beside its `const`;
 * - `$ref`s point into the OpenAPI components, and the `id` of a component stays out of its schema.
 */
function config(mode: SchemaMode, definitions: Map<string, AnySchema>): ConversionConfig {
  return {
    target: 'draft-2020-12',
    typeMode: mode,
    definitions: Object.fromEntries(definitions),
    ignoreActions: ['check', 'raw_transform', 'trim', 'to_number'],
    overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (valibotAction.type !== 'metadata' || !('id' in jsonSchema)) return undefined;
      const { id: _id, ...rest } = jsonSchema as JsonSchema & { id?: unknown };
      return rest;
    },
    overrideSchema: ({ valibotSchema, jsonSchema }) => {
      const schema = jsonSchema as Node;
      if (schema.type === 'object' && Array.isArray(schema.required) && schema.required.length === 0) {
        delete schema.required;
      }
      if (mode === 'output' && valibotSchema.type === 'object') schema.additionalProperties = false;
      const [first, second, ...more] = (schema.anyOf as unknown[] | undefined) ?? [];
      if (
        valibotSchema.type === 'nullable' &&
        more.length === 0 &&
        isPlainType(first) &&
        isPlainType(second) &&
        second.type === 'null'
      ) {
        delete schema.anyOf;
        schema.type = [first.type, 'null'];
      }
      const literal = (valibotSchema as unknown as { literal?: unknown }).literal;
      if (valibotSchema.type === 'literal' && ['string', 'number', 'boolean'].includes(typeof literal)) {
        return { type: typeof literal as 'string' | 'number' | 'boolean', ...jsonSchema };
      }
      return undefined;
    },
  };
}

/**
 * A converter that collects the named components of everything it converts. Each component is written in the
 * mode it was first met in; meeting it again in the other mode must give the same schema (or it throws, since
 * one component cannot be two shapes).
 */
export function jsonSchemaConverter() {
  const components: Record<string, JsonSchema> = {};

  const toSchema = (schema: AnySchema, mode: SchemaMode): JsonSchema => {
    const named = namedSchemas(schema, new Map());
    const {
      $schema: _dialect,
      $defs,
      ...root
    } = toJsonSchema(schema, config(mode, named)) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    for (const [id, definition] of Object.entries($defs ?? {})) {
      const existing = components[id];
      if (existing && JSON.stringify(existing) !== JSON.stringify(definition)) {
        throw new Error(
          `The component ${id} differs as request input and as output; name the two separately`,
        );
      }
      components[id] = definition;
    }
    return root;
  };

  return { toSchema, components };
}
