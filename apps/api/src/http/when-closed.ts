import type { ServerResponse } from 'node:http';

/**
 * Runs `fn` once the response is closed (sent, or the client went away): at once when it
 * already is. A `close` listener added after an `await` misses a client that left during the
 * await (its `close` has fired), and what it was to give back (a concurrency slot, a stream's
 * timers) would be kept until its lease lapsed, or for as long as the process lives.
 */
export function whenClosed(response: ServerResponse, fn: () => void): void {
  if (response.closed) fn();
  else response.once('close', fn);
}
