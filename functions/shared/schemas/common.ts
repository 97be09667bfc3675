import * as v from 'valibot';
import { defineSchema } from './define';

/** C0 control characters other than tab and newline, and DEL: never valid in names or message text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const FORBIDDEN_CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** A single-line human-readable text: trimmed, no control characters at all. */
export const singleLineText = (maxLength: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, 'must not be blank'),
    v.maxLength(maxLength, `must be at most ${maxLength} characters`),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    v.check((value) => !/[\u0000-\u001F\u007F]/.test(value), 'must not contain control characters'),
  );

export const idSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.string(),
    v.minLength(1),
    v.maxLength(64),
    v.description('An opaque identifier (a ULID for users)'),
  ),
);

// A pattern: the timestamps are ours (Date#toISOString), so the shape is all there is to check.
export const timestampSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.string(),
    v.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/),
    v.metadata({ format: 'date-time', description: 'ISO 8601 timestamp in UTC' }),
  ),
);

/** A whole number that JSON carries exactly (|n| < 2^53); the JSON Schema states those bounds. */
export const safeIntegerSchema = /* @__PURE__ */ defineSchema(() => v.pipe(v.number(), v.safeInteger()));

/**
 * A query parameter that is a whole number: the text is read as a number (as `Number` reads it), then
 * checked. Its JSON Schema is the number's (the OpenAPI generator describes parameters by their value).
 */
export const integerParameter = (min: number, max: number, fallback: number) =>
  v.optional(v.pipe(v.unknown(), v.toNumber(), v.integer(), v.minValue(min), v.maxValue(max)), fallback);

export const problemSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      type: v.pipe(v.string(), v.description('A URI identifying the problem type')),
      title: v.string(),
      status: safeIntegerSchema,
      detail: v.string(),
      errors: v.optional(
        v.pipe(
          v.array(v.object({ field: v.string(), message: v.string() })),
          v.description('The failing fields'),
        ),
      ),
    }),
    v.metadata({ id: 'Problem', description: 'RFC 9457 problem details' }),
  ),
);
