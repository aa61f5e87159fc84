import { ADMIN_ERROR_CODES } from '@jewelshot/admin';
import { AI_JOBS_ERROR_CODES } from '@jewelshot/ai-jobs';
import { AUDIT_ERROR_CODES } from '@jewelshot/audit';
import { CREDIT_LEDGER_ERROR_CODES } from '@jewelshot/credit-ledger';
import { EMAIL_ERROR_CODES } from '@jewelshot/email';
import { IDENTITY_ERROR_CODES } from '@jewelshot/identity';
import { PLATFORM_ERROR_CODES } from '@jewelshot/platform';

/** Every code a lib declares: platform's generic ones and each lib's `<LIB>_ERROR_CODES`. */
export type ApiErrorCode =
  | (typeof PLATFORM_ERROR_CODES)[number]
  | (typeof EMAIL_ERROR_CODES)[number]
  | (typeof IDENTITY_ERROR_CODES)[number]
  | (typeof CREDIT_LEDGER_ERROR_CODES)[number]
  | (typeof AI_JOBS_ERROR_CODES)[number]
  | (typeof AUDIT_ERROR_CODES)[number]
  | (typeof ADMIN_ERROR_CODES)[number];

/**
 * The HTTP status of every error code the API may answer with: the libs own their codes and
 * know nothing of HTTP; this table is the one place a code meets a status. A lib's new code
 * gets its row here (the compiler and error-status.spec.ts insist).
 */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_TOKEN: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_CREDITS: 402,
  FORBIDDEN: 403,
  ACCOUNT_BANNED: 403,
  INSUFFICIENT_SCOPE: 403,
  RESOURCE_NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<ApiErrorCode, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** A code's status; a code with no row (a lib forgot to add one) is a 500, never a guess. */
export function statusOfCode(code: string): number {
  return Object.hasOwn(ERROR_STATUS, code) ? ERROR_STATUS[code as ErrorCode] : 500;
}
