import * as z from 'zod/mini';
import { defineSchema } from './define';

/** C0 control characters other than tab and newline, and DEL: never valid in names or message text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const FORBIDDEN_CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** A single-line human-readable text: trimmed, no control characters at all. */
export const singleLineText = (maxLength: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1, 'must not be blank'),
    z.maxLength(maxLength, `must be at most ${maxLength} characters`),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    z.refine((value) => !/[\u0000-\u001F\u007F]/.test(value), 'must not contain control characters'),
  );

export const idSchema = /* @__PURE__ */ defineSchema(() =>
  z.string().check(z.minLength(1), z.maxLength(64), z.describe('An opaque identifier (a ULID for users)')),
);

// A pattern rather than z.iso.datetime(), whose module (every ISO format) costs 2 KB in each bundle; the
// timestamps are ours (Date#toISOString), so the shape is all there is to check.
export const timestampSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .string()
    .check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/))
    .register(z.globalRegistry, { format: 'date-time', description: 'ISO 8601 timestamp in UTC' }),
);

export const problemSchema = /* @__PURE__ */ defineSchema(() =>
  z
    .object({
      type: z.string().check(z.describe('A URI identifying the problem type')),
      title: z.string(),
      status: z.int(),
      detail: z.string(),
      errors: z
        .optional(z.array(z.object({ field: z.string(), message: z.string() })))
        .check(z.describe('The failing fields')),
    })
    .register(z.globalRegistry, { id: 'Problem', description: 'RFC 9457 problem details' }),
);
