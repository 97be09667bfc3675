import type * as z from 'zod/mini';
import { type FieldProblem, ValidationError } from '../errors';
import '../validation-messages';

type Location = 'body' | 'query' | 'path';

function issuesToFields(issues: z.core.$ZodIssue[], location: Location): FieldProblem[] {
  const prefix = location === 'body' ? '' : `(${location}) `;
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: `${prefix}${path ? `${path}.` : ''}${key}`,
        message: 'is not a known field',
      }));
    }
    return [
      { field: `${prefix}${path || (location === 'body' ? '(body)' : location)}`, message: issue.message },
    ];
  });
}

/** Parses `value` with `schema`, or throws a ValidationError naming every failing field. */
export function validate<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  location: Location,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = issuesToFields(result.error.issues, location);
  const detail = errors.map((error) => `${error.field} ${error.message}`).join('; ');
  throw new ValidationError(
    `Invalid ${location === 'body' ? 'request body' : `${location} parameters`}: ${detail}.`,
    errors,
  );
}
