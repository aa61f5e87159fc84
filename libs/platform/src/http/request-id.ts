import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The request id of an incoming request: the client's own X-Request-Id when it is a sane id,
 * otherwise a new UUID. The chosen value is written back on the raw headers so that every
 * layer (logger, filter) reads the same one.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(given) ? given[0] : given;
  const id = candidate !== undefined && SANE_ID.test(candidate) ? candidate : randomUUID();
  req.headers[REQUEST_ID_HEADER] = id;
  return id;
}
