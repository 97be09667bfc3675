import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../functions/shared/errors';
import { errorToProblem, isAwsServiceFailure } from '../../functions/shared/http/problem-responses';

/** What the AWS SDK v3 throws when DynamoDB throttles a request. */
const throttlingException = () =>
  Object.assign(new Error('x'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

/** The JSON body of a structured Lambda result. */
function bodyOf(result: APIGatewayProxyResultV2): Record<string, unknown> {
  if (typeof result === 'string') throw new Error('expected a structured result');
  return JSON.parse(result.body ?? 'null') as Record<string, unknown>;
}

function rawBodyOf(result: APIGatewayProxyResultV2): string {
  if (typeof result === 'string') throw new Error('expected a structured result');
  return result.body ?? '';
}

describe('errorToProblem', () => {
  it('turns a throttled AWS SDK call into a 503 problem with Retry-After', () => {
    const response = errorToProblem(throttlingException());

    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(bodyOf(response)).toEqual({
      type: 'urn:chat-backend:problem:service-unavailable',
      title: 'Service temporarily unavailable',
      status: 503,
      detail: expect.stringContaining('Retry-After'),
    });
  });

  it.each([
    ['ProvisionedThroughputExceededException', { $metadata: { httpStatusCode: 400 } }],
    ['InternalServerError', { $metadata: { httpStatusCode: 500 } }],
    ['TimeoutError', {}],
    ['Error', { code: 'ECONNREFUSED' }],
  ])('treats %s from AWS as a retryable 503', (name, extra) => {
    const error = Object.assign(new Error('boom'), { name }, extra);

    const response = errorToProblem(error);

    expect(isAwsServiceFailure(error)).toBe(true);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
  });

  it('turns an unknown error into a 500 whose body reveals nothing of its message or stack', () => {
    const error = new TypeError('Cannot read properties of undefined (reading "passwordHash") at secret.ts');

    const response = errorToProblem(error);

    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['retry-after']).toBeUndefined();
    expect(bodyOf(response)).toEqual({
      type: 'urn:chat-backend:problem:internal-error',
      title: 'Internal server error',
      status: 500,
      detail: 'Something went wrong on our side.',
    });
    expect(rawBodyOf(response)).not.toContain('passwordHash');
    expect(rawBodyOf(response)).not.toContain('TypeError');
    expect(rawBodyOf(response)).not.toContain('secret.ts');
    expect(rawBodyOf(response)).not.toContain('    at ');
  });

  it('turns a thrown non-Error value into the same generic 500', () => {
    const response = errorToProblem('a string with internal details');

    expect(response.statusCode).toBe(500);
    expect(rawBodyOf(response)).not.toContain('internal details');
  });

  it('keeps the status, detail and failing fields of a typed error', () => {
    const error = new ConflictError('The username "alice" is already taken.', [
      { field: 'username', message: 'is already taken' },
    ]);

    const response = errorToProblem(error);

    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(bodyOf(response)).toEqual({
      type: 'urn:chat-backend:problem:conflict',
      title: 'The request conflicts with the current state',
      status: 409,
      detail: 'The username "alice" is already taken.',
      errors: [{ field: 'username', message: 'is already taken' }],
    });
  });

  it('adds a Bearer WWW-Authenticate challenge to 401s only', () => {
    const unauthorized = errorToProblem(new UnauthorizedError('The access token has expired.'));
    const notFound = errorToProblem(new NotFoundError('No such user.'));
    const invalid = errorToProblem(new ValidationError('Bad.', [{ field: 'x', message: 'bad' }]));

    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(notFound.headers['www-authenticate']).toBeUndefined();
    expect(invalid.headers['www-authenticate']).toBeUndefined();
  });

  it('leaves out the errors member when a typed error names no field', () => {
    const response = errorToProblem(new NotFoundError('No such user.'));

    expect(bodyOf(response)).not.toHaveProperty('errors');
  });
});
