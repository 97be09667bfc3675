import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ValidationError } from '../../functions/shared/errors';
import { validate } from '../../functions/shared/http/validate';
import { sendMessageRequestSchema } from '../../functions/shared/schemas/messages';
import { signUpRequestSchema, updateProfileRequestSchema } from '../../functions/shared/schemas/users';

const nested = z.strictObject({
  profile: z.strictObject({
    name: z.string().check(z.minLength(1, 'must not be empty')),
    tags: z.array(z.string()),
  }),
});

/** Runs validate and returns the ValidationError it throws. */
function failure(schema: z.ZodMiniType, value: unknown, location: 'body' | 'query' | 'path' = 'body') {
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
      z.strictObject({ limit: z.coerce.number().check(z.int()) }),
      { limit: 'ten' },
      'query',
    );
    const path = failure(
      z.strictObject({ id: z.string().check(z.maxLength(3)) }),
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
  const messageFor = (schema: z.ZodMiniType, value: unknown) => failure(schema, value).errors?.[0]?.message;

  it.each([
    ['a missing field', z.strictObject({ name: z.string() }), {}, 'is required'],
    [
      'a number where a string belongs',
      z.strictObject({ name: z.string() }),
      { name: 7 },
      'must be a string',
    ],
    ['a string where a number belongs', z.strictObject({ n: z.number() }), { n: '7' }, 'must be a number'],
    ['a fraction where an integer belongs', z.strictObject({ n: z.int() }), { n: 1.5 }, 'must be an integer'],
    [
      'a string that is too short',
      z.strictObject({ name: z.string().check(z.minLength(2)) }),
      { name: 'a' },
      'must be at least 2 characters',
    ],
    [
      'a string that is too long',
      z.strictObject({ name: z.string().check(z.maxLength(1)) }),
      { name: 'ab' },
      'must be at most 1 character',
    ],
    [
      'an array with too many items',
      z.strictObject({ ids: z.array(z.string()).check(z.maxLength(1)) }),
      { ids: ['a', 'b'] },
      'must have at most 1 item',
    ],
    [
      'a number below its minimum',
      z.strictObject({ n: z.number().check(z.minimum(5)) }),
      { n: 4 },
      'must be at least 5',
    ],
    [
      'a value outside an enum',
      z.strictObject({ role: z.enum(['admin', 'member']) }),
      { role: 'owner' },
      'must be one of "admin", "member"',
    ],
    [
      'a string failing a pattern',
      z.strictObject({ code: z.string().check(z.regex(/^[a-z]+$/)) }),
      { code: 'A1' },
      'has an invalid format',
    ],
  ])('says what is wrong with %s in "<field> must ..." form', (_name, schema, value, message) => {
    expect(messageFor(schema, value)).toBe(message);
  });

  it('names the discriminator of a union and the values it may take', () => {
    const error = failure(sendMessageRequestSchema, { content: { type: 'audio', audio: 'x' } });

    expect(error.errors).toEqual([
      { field: 'content.type', message: 'must be one of "text", "string", "video", "image"' },
    ]);
  });
});
