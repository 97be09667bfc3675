/**
 * The typed errors the domain throws. Each knows its HTTP status and problem type; they are turned into
 * `application/problem+json` responses in exactly one place (`http/problem-responses.ts`).
 */

/** Every problem `type` is this URN followed by the error's own type, e.g. `...:validation-error`. */
export const PROBLEM_TYPE_PREFIX = 'urn:chat-backend:problem:';

export interface FieldProblem {
  /** Dotted path of the failing field, e.g. `content.text`; `(body)` for the body as a whole. */
  field: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  readonly errors: FieldProblem[] | undefined;

  constructor(detail: string, errors?: FieldProblem[]) {
    super(detail);
    this.name = new.target.name;
    this.errors = errors;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly type = 'validation-error';
  readonly title = 'The request is not valid';
}

export class MalformedJsonError extends AppError {
  readonly status = 400;
  readonly type = 'malformed-json';
  readonly title = 'The request body is not valid JSON';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Authentication is required';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'You are not allowed to do this';
}

/**
 * A block stands between the caller and the user they address (either blocked the other). The same answer
 * whoever blocked whom and whatever exists between them, so that it tells a blocked user no more than that
 * they cannot message this person (docs/architecture.md, "Blocking and muting").
 */
export class CannotMessageUserError extends AppError {
  readonly status = 403;
  readonly type = 'cannot-message-user';
  readonly title = "You can't message this user";
}

/** The account was disabled by an administrator: no login, no token refresh (the detail says so). */
export class AccountDisabledError extends AppError {
  readonly status = 403;
  readonly type = 'account-disabled';
  readonly title = 'This account is disabled';
}

/** An administrator's route called by someone who is not (now) an administrator. */
export class NotAdminError extends AppError {
  readonly status = 403;
  readonly type = 'admin-required';
  readonly title = 'Only administrators may do this';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'The request conflicts with the current state';
}

/** A sync cursor older than the retention window, or unknown: the client starts again from a full load. */
export class ResyncRequiredError extends AppError {
  readonly status = 410;
  readonly type = 'resync-required';
  readonly title = 'Resync required: the cursor is too old or unknown';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'The request body is too large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'The request body must be application/json';
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  readonly title = 'Too many requests';
  /** Retry-After and the RateLimit / RateLimit-Policy fields, sent with the problem. */
  readonly headers: Record<string, string>;

  constructor(detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.headers = headers;
  }
}
