/**
 * The one place where errors become HTTP responses. Typed errors keep their status and message; AWS service
 * failures (throttling, timeouts, outages) become 503 with Retry-After; anything else is a bug and becomes a
 * generic 500 whose body says nothing about the cause.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { cancellationCodes } from '../data/cancellation';
import {
  AppError,
  type FieldProblem,
  PROBLEM_TYPE_PREFIX,
  TooManyRequestsError,
  UnauthorizedError,
} from '../errors';
import { logger } from '../logger';

export { PROBLEM_TYPE_PREFIX };

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
}

export function problemResponse(
  body: ProblemBody,
  headers: Record<string, string> = {},
): APIGatewayProxyResultV2 & { statusCode: number; headers: Record<string, string> } {
  return {
    statusCode: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(body),
  };
}

const RETRYABLE_AWS_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'TransactionConflictException',
]);

/**
 * True for AWS failures a retry can fix: throttling, timeouts, the service's own 5xx, and network errors.
 * Other AWS errors (ValidationException, AccessDenied) are bugs or misconfiguration: they stay 500s.
 */
export function isAwsServiceFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_AWS_ERRORS.has(error.name)) return true;
  const reasons = cancellationCodes(error);
  if (reasons?.some((code) => code === 'TransactionConflict' || code === 'ThrottlingError')) return true;
  const status = (error as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code);
}

export function errorToProblem(error: unknown) {
  if (error instanceof AppError) {
    const headers: Record<string, string> =
      error instanceof UnauthorizedError
        ? { 'www-authenticate': 'Bearer realm="chat-api"' }
        : error instanceof TooManyRequestsError
          ? error.headers
          : {};
    return problemResponse(
      {
        type: `${PROBLEM_TYPE_PREFIX}${error.type}`,
        title: error.title,
        status: error.status,
        detail: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
      },
      headers,
    );
  }
  if (isAwsServiceFailure(error)) {
    logger.warn('AWS service failure', { errorName: (error as Error).name });
    return problemResponse(
      {
        type: `${PROBLEM_TYPE_PREFIX}service-unavailable`,
        title: 'Service temporarily unavailable',
        status: 503,
        detail: 'A backing service is busy or unavailable. Retry after the delay in Retry-After.',
      },
      { 'retry-after': '1' },
    );
  }
  logger.error('Unhandled error', error as Error);
  return problemResponse({
    type: `${PROBLEM_TYPE_PREFIX}internal-error`,
    title: 'Internal server error',
    status: 500,
    detail: 'Something went wrong on our side.',
  });
}
