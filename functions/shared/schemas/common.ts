import * as z from 'zod';

/** C0 control characters other than tab and newline, and DEL: never valid in names or message text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const FORBIDDEN_CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** A single-line human-readable text: trimmed, no control characters at all. */
export const singleLineText = (maxLength: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be blank')
    .max(maxLength, `must be at most ${maxLength} characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    .refine((value) => !/[\u0000-\u001F\u007F]/.test(value), 'must not contain control characters');

export const idSchema = z.string().min(1).max(64).describe('An opaque identifier (a ULID for users)');

export const timestampSchema = z.iso.datetime().describe('ISO 8601 timestamp in UTC');

export const problemSchema = z
  .object({
    type: z.string().describe('A URI identifying the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('The failing fields'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
