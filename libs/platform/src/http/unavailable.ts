/** Seconds a client is told to wait (Retry-After) when a dependency we need is down. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

// SQLSTATE classes and codes that mean "the database is not there right now", not "your
// request is wrong": connection exceptions (08xxx), admin/crash shutdown (57P01-57P03),
// too many connections (53300), the server starting up or in recovery (57P03 covers it).
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);

// Socket-level errors of the driver (node errno codes).
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// pg and pg-pool raise plain Errors for these, with no code.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end on the pool/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function oneIsUnavailable(error: ErrorLike): boolean {
  const { code, message } = error;
  if (typeof code === 'string') {
    if (code.startsWith('08') && code.length === 5) return true;
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
  }
  return (
    typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))
  );
}

/**
 * True when the error says a dependency (PostgreSQL) is unreachable rather than that the
 * request or our code is wrong: the client gets 503 with Retry-After, not a 500, and never a
 * 401 that would log its user out. Follows TypeORM's `driverError`, `cause` and the
 * `errors` of an AggregateError (a refused connection to 127.0.0.1 and ::1).
 */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const candidate = error as ErrorLike;
  if (oneIsUnavailable(candidate)) return true;
  if (
    isUnavailableError(candidate.driverError, depth + 1) ||
    isUnavailableError(candidate.cause, depth + 1)
  )
    return true;
  return (
    Array.isArray(candidate.errors) &&
    candidate.errors.some((inner) => isUnavailableError(inner, depth + 1))
  );
}
