/**
 * The wording of validation failures, in the "<field> must ..." style of our own messages (`username must be
 * at least 3 characters`). valibot's default reads "Invalid length: Expected >=3 but received 2"; this is
 * installed once, when the module loads, as its global message. Messages given in a schema take precedence.
 */
import * as v from 'valibot';

type Issue = v.BaseIssue<unknown>;

/** What a schema's `expects` says, in words (`Object` is any object schema, a record or a variant). */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  Object: 'an object',
  Array: 'an array',
  null: 'null',
};

/**
 * The literal values an `expects` lists: `"admin" | "member"` (a picklist), `"text"` (a literal), or nested in
 * parentheses for a variant's discriminator: `(("text" | "string") | "video" | "image")`.
 */
const literals = (expected: string) =>
  expected.match(/"(?:[^"\\]|\\.)*"|-?\d[\w.+-]*|true|false|null/g) ?? [];

function bound(issue: Issue, side: 'min' | 'max') {
  const limit = issue.requirement as number;
  const least = side === 'min' ? 'least' : 'most';
  if (typeof issue.input === 'string')
    return `must be at ${least} ${limit} ${limit === 1 ? 'character' : 'characters'}`;
  if (Array.isArray(issue.input)) return `must have at ${least} ${limit} ${limit === 1 ? 'item' : 'items'}`;
  return `must be at ${least} ${limit}`;
}

export function validationMessage(issue: Issue): string {
  if (issue.kind === 'schema') {
    if (issue.expected === 'never') return 'is not a known field';
    if (issue.input === undefined) return 'is required';
    if (issue.type === 'union') return 'does not match any allowed form';
    const expected = issue.expected ?? '';
    const typeName = TYPE_NAMES[expected];
    if (typeName) return `must be ${typeName}`;
    const values = literals(expected);
    if (values.length === 1) return `must be ${values[0]}`;
    if (values.length > 1) return `must be one of ${values.join(', ')}`;
    return 'is not valid';
  }
  switch (issue.type) {
    case 'min_length':
      return bound(issue, 'min');
    case 'max_length':
      return bound(issue, 'max');
    case 'min_value':
      return `must be at least ${issue.requirement}`;
    case 'max_value':
      return `must be at most ${issue.requirement}`;
    case 'gt_value':
      return `must be greater than ${issue.requirement}`;
    case 'lt_value':
      return `must be less than ${issue.requirement}`;
    case 'integer':
    case 'safe_integer':
      return 'must be an integer';
    case 'to_number':
      return 'must be a number';
    case 'regex':
      return 'has an invalid format';
    case 'multiple_of':
      return `must be a multiple of ${issue.requirement}`;
    default:
      return 'is not valid';
  }
}

v.setGlobalMessage(validationMessage);
