/**
 * The generic machine-readable error codes, which any lib may raise. A lib declares its own
 * domain codes in its `<lib>.errors.ts` (`<LIB>_ERROR_CODES`); the API maps every code to an
 * HTTP status in one table (apps/api/src/http/error-status.ts). Clients match on `code`; never
 * rename one.
 */
export const PLATFORM_ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'RESOURCE_NOT_FOUND',
  'CONFLICT',
  'GONE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMIT_EXCEEDED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
] as const;

export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

/** Any lib's code: SCREAMING_SNAKE_CASE, declared in that lib's errors file. */
export type ErrorCode = string;
