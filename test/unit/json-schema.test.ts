import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { jsonSchemaConverter } from '../../functions/shared/json-schema';
import { strictObject } from '../../functions/shared/schemas/json-objects';

describe('JSON Schema from valibot schemas', () => {
  const point = v.pipe(v.object({ x: v.number() }), v.metadata({ id: 'Point', description: 'A point' }));

  it('writes a named schema once, under its id and without it, and refers to it wherever it appears', () => {
    const { toSchema, components } = jsonSchemaConverter();

    const line = toSchema(v.object({ from: point, to: v.nullable(point) }), 'output');

    expect(line.properties).toEqual({
      from: { $ref: '#/components/schemas/Point' },
      to: { anyOf: [{ $ref: '#/components/schemas/Point' }, { type: 'null' }] },
    });
    expect(components).toEqual({
      Point: {
        type: 'object',
        properties: { x: { type: 'number' } },
        required: ['x'],
        additionalProperties: false,
        description: 'A point',
      },
    });
  });

  it('describes what a client sends as input: unknown fields allowed unless the object is strict', () => {
    const { toSchema } = jsonSchemaConverter();

    expect(toSchema(v.object({ x: v.number() }), 'input')).not.toHaveProperty('additionalProperties');
    expect(toSchema(strictObject({ x: v.number() }), 'input')).toHaveProperty('additionalProperties', false);
  });

  it('documents a query parameter by the value it denotes, with its default, not as text', () => {
    const { toSchema } = jsonSchemaConverter();

    const query = toSchema(
      strictObject({
        limit: v.optional(v.pipe(v.unknown(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(100)), 20),
      }),
      'output',
    );

    expect(query.properties).toEqual({ limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } });
    expect(query).not.toHaveProperty('required');
  });

  it('refuses one component id for two shapes (as request input and as output)', () => {
    const { toSchema } = jsonSchemaConverter();
    toSchema(point, 'input');

    expect(() => toSchema(point, 'output')).toThrow(/Point differs as request input and as output/);
  });

  it('refuses two different schemas under one id', () => {
    const { toSchema } = jsonSchemaConverter();
    const other = v.pipe(v.object({ y: v.number() }), v.metadata({ id: 'Point' }));

    expect(() => toSchema(v.object({ a: point, b: other }), 'output')).toThrow(/Two different schemas/);
  });
});
