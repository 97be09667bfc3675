import * as v from 'valibot';
import { type FieldProblem, ValidationError } from '../errors';
import '../validation-messages';

type Location = 'body' | 'query' | 'path';

function issuesToFields(issues: readonly v.BaseIssue<unknown>[], location: Location): FieldProblem[] {
  const prefix = location === 'body' ? '' : `(${location}) `;
  return issues.map((issue) => {
    const path = issue.path?.map((item) => String(item.key)).join('.');
    return {
      field: `${prefix}${path || (location === 'body' ? '(body)' : location)}`,
      message: issue.message,
    };
  });
}

/** Parses `value` with `schema`, or throws a ValidationError naming every failing field. */
export function validate<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  location: Location,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const errors = issuesToFields(result.issues, location);
  const detail = errors.map((error) => `${error.field} ${error.message}`).join('; ');
  throw new ValidationError(
    `Invalid ${location === 'body' ? 'request body' : `${location} parameters`}: ${detail}.`,
    errors,
  );
}
