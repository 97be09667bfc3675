import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/shared/errors';
import { validate } from '../../functions/shared/http/validate';
import { strictObject } from '../../functions/shared/schemas/json-objects';
import { sendMessageRequestSchema } from '../../functions/shared/schemas/messages';
import { signUpRequestSchema, updateProfileRequestSchema } from '../../functions/shared/schemas/users';

const nested = strictObject({
  profile: strictObject({
    name: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    tags: v.array(v.string()),
  }),
});

/** Runs validate and returns the ValidationError it throws. */
function failure(schema: v.GenericSchema, value: unknown, location: 'body' | 'query' | 'path' = 'body') {
  try {
    validate(schema, value, location);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('validate() accepted the value');
}

describe('validate', () => {
  it('returns the parsed value, with strings trimmed, when the input is valid', () => {
    const parsed = validate(
      signUpRequestSchema,
      { username: 'alice', password: 'long enough', displayName: '  Alice  ' },
      'body',
    );

    expect(parsed).toEqual({ username: 'alice', password: 'long enough', displayName: 'Alice' });
  });

  it('names a failing nested field by its dotted path', () => {
    const error = failure(nested, { profile: { name: '', tags: [] } });

    expect(error.errors).toEqual([{ field: 'profile.name', message: 'must not be empty' }]);
  });

  it('names a failing array element by its index in the path', () => {
    const error = failure(nested, { profile: { name: 'x', tags: ['ok', 7] } });

    expect(error.errors?.map((problem) => problem.field)).toEqual(['profile.tags.1']);
  });

  it('names each unrecognized key at the top level as a field that is not known', () => {
    const error = failure(signUpRequestSchema, {
      username: 'alice',
      password: 'long enough',
      isAdmin: true,
      role: 'admin',
    });

    expect(error.errors).toEqual([
      { field: 'isAdmin', message: 'is not a known field' },
      { field: 'role', message: 'is not a known field' },
    ]);
  });

  it('names an unrecognized key inside a nested object with its full path', () => {
    const error = failure(nested, { profile: { name: 'x', tags: [], admin: true } });

    expect(error.errors).toEqual([{ field: 'profile.admin', message: 'is not a known field' }]);
  });

  it('names every failing field, not only the first', () => {
    const error = failure(signUpRequestSchema, { username: 'a b', password: 'short' });

    expect(error.errors?.map((problem) => problem.field).sort()).toEqual(['password', 'username']);
  });

  it('names the body as a whole when it is not an object', () => {
    const error = failure(updateProfileRequestSchema, ['displayName']);

    expect(error.errors).toHaveLength(1);
    expect(error.errors?.[0]?.field).toBe('(body)');
  });

  it('prefixes query and path fields with their location', () => {
    const query = failure(
      strictObject({ limit: v.pipe(v.unknown(), v.toNumber(), v.integer()) }),
      { limit: 'ten' },
      'query',
    );
    const path = failure(
      strictObject({ id: v.pipe(v.string(), v.maxLength(3)) }),
      { id: 'too long' },
      'path',
    );

    expect(query.errors?.[0]?.field).toBe('(query) limit');
    expect(path.errors?.[0]?.field).toBe('(path) id');
    expect(path.message).toMatch(/^Invalid path parameters: \(path\) id /);
  });

  it('builds a 400 detail that lists each failing field with its message', () => {
    const error = failure(signUpRequestSchema, { username: 'ab', password: 'long enough' });

    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid request body: username must be at least 3 characters.');
  });
});

describe('validation messages', () => {
  const messageFor = (schema: v.GenericSchema, value: unknown) => failure(schema, value).errors?.[0]?.message;

  it.each([
    ['a missing field', strictObject({ name: v.string() }), {}, 'is required'],
    ['a number where a string belongs', strictObject({ name: v.string() }), { name: 7 }, 'must be a string'],
    ['a string where a number belongs', strictObject({ n: v.number() }), { n: '7' }, 'must be a number'],
    [
      'a fraction where an integer belongs',
      strictObject({ n: v.pipe(v.number(), v.safeInteger()) }),
      { n: 1.5 },
      'must be an integer',
    ],
    [
      'a string that is too short',
      strictObject({ name: v.pipe(v.string(), v.minLength(2)) }),
      { name: 'a' },
      'must be at least 2 characters',
    ],
    [
      'a string that is too long',
      strictObject({ name: v.pipe(v.string(), v.maxLength(1)) }),
      { name: 'ab' },
      'must be at most 1 character',
    ],
    [
      'an array with too many items',
      strictObject({ ids: v.pipe(v.array(v.string()), v.maxLength(1)) }),
      { ids: ['a', 'b'] },
      'must have at most 1 item',
    ],
    [
      'a number below its minimum',
      strictObject({ n: v.pipe(v.number(), v.minValue(5)) }),
      { n: 4 },
      'must be at least 5',
    ],
    [
      'a value outside an enum',
      strictObject({ role: v.picklist(['admin', 'member']) }),
      { role: 'owner' },
      'must be one of "admin", "member"',
    ],
    [
      'a string failing a pattern',
      strictObject({ code: v.pipe(v.string(), v.regex(/^[a-z]+$/)) }),
      { code: 'A1' },
      'has an invalid format',
    ],
    [
      'a value other than the one literal allowed',
      strictObject({ action: v.literal('typing') }),
      { action: 'ping' },
      'must be "typing"',
    ],
    [
      'a number that must be greater than a bound',
      strictObject({ size: v.pipe(v.number(), v.gtValue(0)) }),
      { size: 0 },
      'must be greater than 0',
    ],
    [
      'query text that is not a number',
      strictObject({ limit: v.pipe(v.unknown(), v.toNumber(), v.integer()) }),
      { limit: '1O' },
      'must be a number',
    ],
    [
      'an array where an object belongs',
      strictObject({ o: strictObject({}) }),
      { o: [] },
      'must be an object',
    ],
  ])('says what is wrong with %s in "<field> must ..." form', (_name, schema, value, message) => {
    expect(messageFor(schema, value)).toBe(message);
  });

  it('names the discriminator of a union and the values it may take', () => {
    const error = failure(sendMessageRequestSchema, { content: { type: 'sticker', sticker: 'x' } });

    expect(error.errors).toEqual([
      {
        field: 'content.type',
        message: 'must be one of "text", "string", "video", "image", "file", "audio"',
      },
    ]);
  });
});

describe('object schemas held to JSON objects', () => {
  it('refuses an array as message content, naming the content rather than a key inside it', () => {
    const error = failure(sendMessageRequestSchema, { content: [{ type: 'text', text: 'hi' }] });

    expect(error.errors).toEqual([{ field: 'content', message: 'must be an object' }]);
  });

  it('refuses an array as free-form metadata', () => {
    const error = failure(sendMessageRequestSchema, {
      content: { type: 'image', image: 'media-1', metadata: ['caption'] },
    });

    expect(error.errors).toEqual([{ field: 'content.metadata', message: 'must be an object' }]);
  });

  it('names every unknown key inside a union member, not only the first', () => {
    const error = failure(sendMessageRequestSchema, {
      content: { type: 'text', text: 'hi', bold: true, size: 3 },
    });

    expect(error.errors).toEqual([
      { field: 'content.bold', message: 'is not a known field' },
      { field: 'content.size', message: 'is not a known field' },
    ]);
  });

  it('keeps "constructor" and "prototype" in free-form metadata, and drops "__proto__"', () => {
    const metadata = JSON.parse('{"constructor":1,"prototype":{"a":2},"__proto__":{"polluted":true},"b":3}');

    const parsed = validate(
      sendMessageRequestSchema,
      { content: { type: 'image', image: 'media-1', metadata } },
      'body',
    );

    const kept = (parsed.content as { metadata?: Record<string, unknown> }).metadata;
    expect(kept).toEqual({ constructor: 1, prototype: { a: 2 }, b: 3 });
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
