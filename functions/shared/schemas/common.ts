import * as v from 'valibot';
import { defineSchema } from './define';

/**
 * What message text may not contain: C0 controls other than tab and newline, DEL and the C1 controls; bidi
 * embeddings and overrides (U+202A-202E), which reorder what a reader sees ("Trojan Source"); and lone
 * surrogates (a high one not followed by a low one, or a low one not preceded by a high one). Spelled without
 * the `u` flag and `\p{…}`, which esbuild turns into a `new RegExp` call that bundles could not drop.
 */
export const FORBIDDEN_IN_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What a name may not contain: any control character, bidi embeddings, overrides and isolates (U+2066-2069),
 * and zero-width characters (U+200B-200D, U+2060, U+FEFF), with which two names look the same.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN_IN_NAMES = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060\uFEFF]/;

/** False for a string with a lone surrogate (half a UTF-16 pair): not text, and not valid UTF-8 when stored. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

/**
 * A single-line human-readable text (names, locations): NFC-normalised (so one name has one spelling), trimmed,
 * and refused with a lone surrogate, a control character, a bidi control or a zero-width character.
 */
export const singleLineText = (maxLength: number) =>
  v.pipe(
    v.string(),
    v.check(isWellFormed, 'must not contain lone surrogates'),
    // Before trimming, which would silently drop a leading byte order mark or trailing newline.
    v.check(
      (value) => !FORBIDDEN_IN_NAMES.test(value),
      'must not contain control characters, bidi controls or zero-width characters',
    ),
    v.transform((value) => value.normalize('NFC')),
    v.trim(),
    v.minLength(1, 'must not be blank'),
    v.maxLength(maxLength, `must be at most ${maxLength} characters`),
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
