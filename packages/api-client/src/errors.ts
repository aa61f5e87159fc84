import type { components } from './schema.js';

export type ErrorBody = components['schemas']['ErrorResponseDto'];
export type ErrorCode = ErrorBody['code'];
export type FieldError = components['schemas']['FieldErrorDto'];
/**
 * The object some errors carry in `details` (each field names the codes that set it):
 * `needed`/`available` of INSUFFICIENT_CREDITS, `policy`/`limit`/`retryAfterSeconds` of
 * RATE_LIMIT_EXCEEDED, a CONFLICT's `reason`, and so on.
 */
export type ErrorDetails = Exclude<NonNullable<ErrorBody['details']>, FieldError[]>;
/** Which conflict a CONFLICT is (`details.reason`), as the API declares them. */
type ConflictReason = NonNullable<ErrorDetails['reason']>;

/** An API answer that was not 2xx, with the body the API's one error filter produced. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    /** Seconds to wait before retrying (Retry-After), when the API said so. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(body.error);
    this.name = 'ApiError';
  }

  get code(): ErrorCode {
    return this.body.code;
  }

  /**
   * The per-field messages of a VALIDATION_ERROR, keyed by field name: the API's English text,
   * for logs. To show a person, word `fieldErrorDetails` (its `constraint`) in their language.
   */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, detail] of Object.entries(this.fieldErrorDetails))
      out[field] = detail.message;
    return out;
  }

  /** The first refused check of each field of a VALIDATION_ERROR, keyed by field name. */
  get fieldErrorDetails(): Record<string, FieldError> {
    const out: Record<string, FieldError> = {};
    if (Array.isArray(this.body.details)) {
      for (const detail of this.body.details) out[detail.field] ??= detail;
    }
    return out;
  }

  /** The `details` object of an error that carries one (not a VALIDATION_ERROR's list). */
  get details(): ErrorDetails | null {
    const { details } = this.body;
    return typeof details === 'object' && details !== null && !Array.isArray(details)
      ? details
      : null;
  }

  /** Which conflict a CONFLICT is, when the API said so (`details.reason`). */
  get conflictReason(): ConflictReason | null {
    if (this.body.code !== 'CONFLICT') return null;
    const reason = this.details?.reason;
    return typeof reason === 'string' ? reason : null;
  }
}

/** Thrown when the API could not be reached at all (offline, DNS, a refused connection, CORS). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The API could not be reached', { cause });
    this.name = 'NetworkError';
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { statusCode?: unknown }).statusCode === 'number'
  );
}

export function retryAfterSeconds(headers: Headers): number | null {
  const raw = headers.get('retry-after');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Turns an openapi-fetch error result (or a raw error response) into an ApiError. */
export function toApiError(response: Response, body: unknown): ApiError {
  const parsed: ErrorBody = isErrorBody(body)
    ? body
    : {
        statusCode: response.status,
        code: response.status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR',
        error: response.statusText || 'Request failed',
        requestId: response.headers.get('x-request-id') ?? '',
      };
  return new ApiError(response.status, parsed, retryAfterSeconds(response.headers));
}
