/** What of an error may be written to a log: never the query's parameters, nor values it quotes. */
export interface LoggableError {
  type: string;
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  stack?: string;
  cause?: LoggableError;
}

// PostgreSQL quotes the offending value in some messages (`invalid input syntax for type uuid:
// "..."`) and in `detail` (`Key (email)=(...)`): quoted spans are replaced, `detail` is dropped.
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

function scrub(message: string, isDatabaseError: boolean): string {
  return isDatabaseError ? message.replace(QUOTED, '"[value]"') : message;
}

function stringField(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A copy of an error safe to log. pino's default serializer writes every enumerable property,
 * which for TypeORM's QueryFailedError means `query` and `parameters` (a password hash was
 * logged that way). This keeps the type, message, SQLSTATE, constraint and stack only; the
 * stack's first line is rebuilt from the scrubbed message.
 */
export function loggableError(error: unknown, depth = 0): LoggableError {
  if (!(error instanceof Error))
    return { type: typeof error, message: typeof error === 'string' ? error : 'non-error thrown' };
  const fields = error as unknown as Record<string, unknown>;
  const driver =
    fields.driverError instanceof Error
      ? (fields.driverError as unknown as Record<string, unknown>)
      : fields;
  const code = stringField(driver, 'code') ?? stringField(fields, 'code');
  const isDatabaseError =
    'query' in fields ||
    'parameters' in fields ||
    (code !== undefined && /^[0-9A-Z]{5}$/.test(code));
  const message = scrub(error.message, isDatabaseError);
  const stackFrames =
    error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')) ?? [];
  const out: LoggableError = {
    type: error.name,
    message,
    stack: [`${error.name}: ${message}`, ...stackFrames].join('\n'),
  };
  if (code !== undefined) out.code = code;
  for (const key of ['constraint', 'table', 'column'] as const) {
    const value = stringField(driver, key);
    if (value !== undefined) out[key] = value;
  }
  if (error.cause !== undefined && depth < 3) out.cause = loggableError(error.cause, depth + 1);
  return out;
}

// What a database error (TypeORM's QueryFailedError, pg's DatabaseError) holds of the data.
const DATA_FIELDS = new Set(['query', 'parameters', 'driverError', 'detail', 'where']);

/**
 * pino's serializer for `err` (and `error`): whatever a line passes there is written as
 * loggableError writes it, so a raw `{ err: error }` cannot put a failed query's parameters in
 * the log either. An Error becomes its LoggableError; an object that is not an Error (already a
 * LoggableError, or a copy of an error) is copied without the data fields, its quoted values
 * replaced when it had any; anything else is written as it is.
 *
 * nestjs-pino's pino-http runs pino's standard error serializer first and hands this its
 * output, which copies every enumerable field; the original is its (documented,
 * non-enumerable) `raw`, so that is what is serialized.
 */
export function serializeLoggedError(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const raw = (value as { raw?: unknown }).raw;
  if (raw !== undefined && raw !== value && depth === 0) return serializeLoggedError(raw, 1);
  if (value instanceof Error) return loggableError(value);
  const out: Record<string, unknown> = {};
  let hadData = false;
  for (const [key, field] of Object.entries(value)) {
    if (DATA_FIELDS.has(key)) hadData = true;
    else out[key] = key === 'cause' && depth < 3 ? serializeLoggedError(field, depth + 1) : field;
  }
  if (hadData)
    for (const key of ['message', 'stack'])
      if (typeof out[key] === 'string') out[key] = scrub(out[key] as string, true);
  return out;
}
