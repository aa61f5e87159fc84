import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type ApiConfig } from '../api.config';

/**
 * How long a client may take, as Fastify/Node server options. A client that trickles its headers
 * is cut off at HTTP_HEADERS_TIMEOUT_MS, one that trickles its body at HTTP_REQUEST_TIMEOUT_MS,
 * a socket silent both ways (a stalled download, a dead peer) at HTTP_IDLE_TIMEOUT_MS.
 * Node checks the first two every `connectionsCheckingInterval` (30 s by default, far too coarse
 * for a 10 s limit): it is a quarter of the shorter limit here, at most 1 s.
 *
 * Streaming routes keep their own limits on top: an event stream ends after its maximum
 * duration and writes at least every poll interval (so it is never idle), a download is cut
 * when the reader stops reading (idle timeout), an upload must arrive within the request timeout
 * and UPLOAD_MAX_BYTES.
 */
export function serverTimeouts(config: ApiConfig): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  const shortest = Math.min(
    config.HTTP_HEADERS_TIMEOUT_MS,
    config.HTTP_REQUEST_TIMEOUT_MS || Number.POSITIVE_INFINITY,
  );
  return {
    connectionTimeout: config.HTTP_IDLE_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    http: {
      // Node requires headersTimeout <= requestTimeout (when the latter is on).
      headersTimeout:
        config.HTTP_REQUEST_TIMEOUT_MS > 0
          ? Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS)
          : config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(shortest / 4))),
    },
  };
}

/**
 * Guards every new connection: past HTTP_MAX_CONNECTIONS_PER_ADDRESS open connections of one
 * client address a new one is closed before a byte of it is parsed, so one address cannot hold
 * every socket; and a connection that sends no byte within HTTP_HEADERS_TIMEOUT_MS is closed:
 * Node 20 leaves it open (its header timeout and `server.timeout` do not fire for it; checked).
 */
export function guardConnections(server: Server, config: ApiConfig): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > config.HTTP_MAX_CONNECTIONS_PER_ADDRESS) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    // Node's header timeout starts with the first byte: a connection that never sends one is ours to close.
    const firstByte = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, config.HTTP_HEADERS_TIMEOUT_MS);
    firstByte.unref();
    socket.once('close', () => {
      clearTimeout(firstByte);
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/** Whether a request carries a body (HTTP/1.1 framing: a length above 0, or chunks). */
export function declaresBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The most bytes off the wire a request body may take, before or after its answer: twice the
 * largest body any route takes, so a client sending a body a little too large, or one answered
 * before its body was wanted (401, 429), still reads its answer.
 */
export function bodyWireLimit(config: ApiConfig): number {
  return 2 * Math.max(config.BODY_LIMIT_BYTES, config.UPLOAD_MAX_BYTES);
}

/**
 * How often a body's bytes off the wire are looked at between its chunks (a chunk's size line
 * may be endless, and gives no chunk).
 */
const WIRE_CHECK_MS = 25;

/**
 * Bounds what the server reads of a request body, counted in bytes off the wire.
 *
 * - Node reads and drops a body nobody read after the answer (so that the connection can take
 *   its next request), with no limit but HTTP_REQUEST_TIMEOUT_MS: a GET or an early 401 with an
 *   endless body kept the server reading for 30 s, whatever BODY_LIMIT_BYTES said. Here the body
 *   left when the answer is sent is read and dropped (so the client, still sending, gets to read
 *   its answer before the connection goes), and a body a parser stopped reading (an upload
 *   refused at its first part) is taken from it rather than left to the timeout.
 * - The limits of the body parsers count the body's bytes, not the wire's: chunked framing
 *   (a chunk extension, a size's leading zeros) costs bytes the body never counts, so 16 KB of
 *   extension per byte of body made 1 MB of JSON 16 GB of reading.
 *
 * Past `bodyWireLimit` bytes off the wire since its headers (BODY_LIMIT_BYTES for a GET or a
 * HEAD, whose body no route takes), before or after the answer, the connection is closed. Only
 * a request that declares a body is watched, until it is complete.
 */
export function boundRequestBodies(server: Server, config: ApiConfig): void {
  const limit = bodyWireLimit(config);
  const bodyLimit = config.BODY_LIMIT_BYTES;
  // Before Fastify's own listener: an answer it gives at once (a malformed URL) must find the
  // 'prefinish' listener in place.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!declaresBody(request.headers)) return;
    const socket = request.socket;
    const start = socket.bytesRead;
    // No route takes a GET's or a HEAD's body: what one may cost is a JSON body's limit.
    const bound = request.method === 'GET' || request.method === 'HEAD' ? bodyLimit : limit;
    const stop = (): void => clearInterval(timer);
    // No listener on the socket: pipelined requests would pile them up on one connection.
    const check = (): void => {
      if (request.complete || socket.destroyed) stop();
      else if (socket.bytesRead - start > bound) {
        stop();
        socket.destroy();
      }
    };
    const timer = setInterval(check, WIRE_CHECK_MS);
    timer.unref();
    request.once('end', stop);
    // Before Node's own 'finish' listener, which would drop the body unseen: read here instead
    // (Node then leaves the request alone), and looked at with every chunk.
    response.once('prefinish', () => {
      if (request.complete) return;
      request.unpipe();
      request.on('data', check);
      request.resume();
    });
  });
}

/**
 * What every other answer carries from security-headers.ts, for a JSON error: nothing may be
 * loaded, framed, sniffed or stored. (HSTS is left to the answers that have the config: a
 * browser keeps it from any of them.)
 */
const PARSER_ANSWER_HEADERS = [
  "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options: DENY',
  'X-Content-Type-Options: nosniff',
  'Referrer-Policy: no-referrer',
  'Cache-Control: no-store',
];

/**
 * Answers what Node's HTTP parser refuses (bad header bytes such as NUL, headers too large, a
 * request or header timeout) with the one error shape where the socket can still take an
 * answer, instead of Fastify's own body.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const statusCode = timedOut ? 408 : tooLarge ? 431 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify({
    statusCode,
    code: 'VALIDATION_ERROR',
    error: timedOut
      ? 'The request took too long to arrive'
      : tooLarge
        ? 'The request headers are too large'
        : 'The request is malformed',
    requestId,
  });
  const reason = timedOut
    ? 'Request Timeout'
    : tooLarge
      ? 'Request Header Fields Too Large'
      : 'Bad Request';
  const headers = [
    `HTTP/1.1 ${statusCode} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    ...PARSER_ANSWER_HEADERS,
    'Connection: close',
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
