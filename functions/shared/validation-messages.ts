/**
 * The wording of validation failures, in the "<field> must ..." style of our own messages (`username must be
 * at least 3 characters`). zod/mini loads no locale, so without this every failure would read "Invalid
 * input". Installed once, when the module loads; messages given in a schema still take precedence.
 */
import * as z from 'zod/mini';

type Issue = z.core.$ZodRawIssue;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  record: 'an object',
  literal: 'a literal',
};

const quoted = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value)).join(', ');

const UNITS: Record<string, [string, string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  map: ['entry', 'entries'],
  file: ['byte', 'bytes'],
};

function bound(issue: Issue & { origin?: string; inclusive?: boolean }, limit: unknown, side: 'min' | 'max') {
  const unit = UNITS[issue.origin ?? ''];
  if (unit) {
    const verb = issue.origin === 'string' ? 'be' : 'have';
    return `must ${verb} at ${side === 'min' ? 'least' : 'most'} ${limit} ${limit === 1 ? unit[0] : unit[1]}`;
  }
  if (issue.inclusive === false) return `must be ${side === 'min' ? 'greater' : 'less'} than ${limit}`;
  return `must be at ${side === 'min' ? 'least' : 'most'} ${limit}`;
}

export function validationMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return bound(issue, issue.minimum, 'min');
    case 'too_big':
      return bound(issue, issue.maximum, 'max');
    case 'invalid_value': {
      const values = issue.values as readonly unknown[];
      return values.length === 1 ? `must be ${quoted(values)}` : `must be one of ${quoted(values)}`;
    }
    case 'invalid_union': {
      const options = (issue as { options?: readonly unknown[] }).options ?? [];
      return options.length > 0 ? `must be one of ${quoted(options)}` : 'does not match any allowed form';
    }
    case 'invalid_format':
      if (issue.format === 'regex') return 'has an invalid format';
      if (issue.format === 'datetime') return 'must be an ISO 8601 date and time';
      if (issue.format === 'url') return 'must be a URL';
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `has unknown fields: ${issue.keys.join(', ')}`;
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid item';
    default:
      return 'is not valid';
  }
}

z.config({ localeError: validationMessage });
