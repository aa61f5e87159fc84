import { HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  DomainError,
  isUnavailableError,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
  type ErrorBody,
} from '@jewelshot/platform';
import { statusOfCode, type ErrorCode } from './error-status';

const GENERIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  INTERNAL_ERROR: 'An unexpected error occurred. Quote the request id when reporting it.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Try again shortly.',
  RESOURCE_NOT_FOUND: 'Resource not found',
  UNAUTHORIZED: 'Authentication required',
  FORBIDDEN: 'You are not allowed to do this',
  RATE_LIMIT_EXCEEDED: 'Too many requests. Slow down and retry after the time in Retry-After.',
  PAYLOAD_TOO_LARGE: 'The request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported content type',
  VALIDATION_ERROR: 'The request is invalid',
  CONFLICT: 'The request conflicts with the current state',
};

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  402: 'INSUFFICIENT_CREDITS',
  403: 'FORBIDDEN',
  404: 'RESOURCE_NOT_FOUND',
  405: 'RESOURCE_NOT_FOUND',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'IDEMPOTENCY_KEY_REUSED',
  429: 'RATE_LIMIT_EXCEEDED',
  503: 'SERVICE_UNAVAILABLE',
};

export interface MappedError {
  body: ErrorBody;
  /** True when the error is ours to fix (5xx): log it with its stack. */
  unexpected: boolean;
  /** A dependency is down (503): the filter sends Retry-After and logs it as an outage. */
  retryAfterSeconds?: number;
}

interface StatusCarrier {
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { statusCode, status } = error as StatusCarrier;
  const value = typeof statusCode === 'number' ? statusCode : status;
  return typeof value === 'number' && value >= 400 && value < 600 ? value : undefined;
}

function fromStatus(status: number, requestId: string, message?: string): ErrorBody {
  const code: ErrorCode =
    STATUS_TO_CODE[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR');
  const statusCode = status >= 500 && status !== 503 ? 500 : status;
  const useGeneric = statusCode >= 500 || !message;
  return {
    statusCode,
    code: statusCode === 500 ? 'INTERNAL_ERROR' : code,
    error: useGeneric
      ? (GENERIC_MESSAGES[code] ?? GENERIC_MESSAGES.INTERNAL_ERROR ?? 'Error')
      : message,
    requestId,
  };
}

function httpExceptionMessage(exception: HttpException): string | undefined {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  if (typeof response === 'object' && response !== null) {
    const { message } = response as { message?: unknown };
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.filter((m) => typeof m === 'string').join('; ');
  }
  return undefined;
}

/** PostgreSQL's string_data_right_truncation: a value longer than its varchar(n). */
const STRING_TOO_LONG = '22001';

/** The SQLSTATE of a database error (TypeORM's QueryFailedError or pg's own), if it is one. */
function sqlStateOf(exception: unknown): string | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { code, driverError } = exception as { code?: unknown; driverError?: { code?: unknown } };
  const state = typeof driverError?.code === 'string' ? driverError.code : code;
  return typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) ? state : undefined;
}

/**
 * Maps anything thrown in the API, from any layer, onto the one error body.
 * Nothing from a stack, SQL or a provider reaches the client: unexpected errors get a generic
 * message and the request id, which is also on the log line.
 */
export function toErrorBody(exception: unknown, requestId: string): MappedError {
  if (exception instanceof DomainError) {
    const body: ErrorBody = {
      ...(exception.extra ?? {}),
      statusCode: statusOfCode(exception.code),
      code: exception.code,
      error: exception.message,
      requestId,
    };
    if (exception.details !== undefined) body.details = exception.details;
    // A 503 raised on purpose (a full work queue shedding load) is an answer, not a fault.
    return { body, unexpected: body.statusCode >= 500 && exception.code !== 'SERVICE_UNAVAILABLE' };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message = status === HttpStatus.NOT_FOUND ? undefined : httpExceptionMessage(exception);
    return { body: fromStatus(status, requestId, message), unexpected: status >= 500 };
  }
  const status = statusOf(exception);
  if (status !== undefined && status < 500) {
    // Errors raised by Fastify itself before a route runs: body parsing, content type, size.
    const fastifyCode = (exception as StatusCarrier).code;
    if (
      status === 400 &&
      typeof fastifyCode === 'string' &&
      fastifyCode.startsWith('FST_ERR_CTP')
    ) {
      return {
        body: fromStatus(400, requestId, 'The request body is not valid JSON'),
        unexpected: false,
      };
    }
    if (status === 400 && exception instanceof SyntaxError) {
      return {
        body: fromStatus(400, requestId, 'The request body is not valid JSON'),
        unexpected: false,
      };
    }
    return { body: fromStatus(status, requestId), unexpected: false };
  }
  if (sqlStateOf(exception) === STRING_TOO_LONG) {
    // The validators count a string's length as validator.js does (variation selectors such as
    // the one in "❤️" count nothing), PostgreSQL counts code points: a value at a field's limit
    // by the first can be over it by the second. The client's value is too long, not our fault.
    return {
      body: fromStatus(400, requestId, 'A value is longer than its field allows'),
      unexpected: false,
    };
  }
  if (isUnavailableError(exception)) {
    return {
      body: fromStatus(503, requestId),
      unexpected: false,
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
    };
  }
  return { body: fromStatus(500, requestId), unexpected: true };
}

/** Statuses whose details may say when to retry: an Idempotency-Key in flight, a limit, an outage. */
const RETRY_AFTER_STATUSES = new Set([409, 429, 503]);

/** When a retry may succeed, in seconds, if the answer says: an outage's, or its details'. */
function retryAfterOf(mapped: MappedError): number | undefined {
  if (mapped.retryAfterSeconds !== undefined) return mapped.retryAfterSeconds;
  const { statusCode, details } = mapped.body;
  const seconds = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return RETRY_AFTER_STATUSES.has(statusCode) && typeof seconds === 'number' ? seconds : undefined;
}

/**
 * Answers with an error in the one shape, whichever layer refuses (the exception filter, the
 * rate limiter's hook, a request's deadline, the router): its status, `Retry-After` when the
 * answer says when to retry, `WWW-Authenticate` on a 401 unless the route named its own (the
 * scheme that would have been accepted: RFC 9110 §11.6.1, RFC 6750 §3), the JSON body. Returns
 * the mapping for the caller's log and metrics.
 */
export function sendError(reply: FastifyReply, exception: unknown, requestId: string): MappedError {
  const mapped = toErrorBody(exception, requestId);
  const retryAfter = retryAfterOf(mapped);
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  if (mapped.body.statusCode === 401 && !reply.hasHeader('www-authenticate'))
    void reply.header('www-authenticate', 'Bearer realm="jewelshot"');
  void reply
    .code(mapped.body.statusCode)
    .header('content-type', 'application/json; charset=utf-8')
    .send(mapped.body);
  return mapped;
}
