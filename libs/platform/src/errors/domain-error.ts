import { ErrorCode } from './error-code';

/**
 * An error the domain raises on purpose. It knows its code, not its transport: the API's one
 * exception filter maps the code to a status and the one error shape.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra top-level fields of the error body (e.g. `migrateTo` on GONE). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * One refused field. `message` is for people reading the raw answer; `constraint` names the
 * check that failed (class-validator's name, e.g. `isEmail`, `minLength`, or one of ours, e.g.
 * `isNotCommonPassword`) so a client can put it in its own words, with the bound it broke
 * (`min`, `max`) where there is one. Never rename a constraint: clients match on it.
 */
export interface FieldError {
  field: string;
  message: string;
  constraint: string;
  min?: number;
  max?: number;
}

/** The constraint of a field error whose check has no name of its own. */
const GENERIC_CONSTRAINT = 'invalid';

export class ValidationError extends DomainError {
  constructor(
    details: Array<Omit<FieldError, 'constraint'> & { constraint?: string }>,
    message = 'The request is invalid',
  ) {
    super(
      'VALIDATION_ERROR',
      message,
      details.map((detail) => ({ ...detail, constraint: detail.constraint ?? GENERIC_CONSTRAINT })),
    );
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Resource not found') {
    super('RESOURCE_NOT_FOUND', message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this') {
    super('FORBIDDEN', message);
  }
}

export class GoneError extends DomainError {
  constructor(message: string, migrateTo: string) {
    super('GONE', message, undefined, { migrateTo });
  }
}
