import { context as traceContext, type Context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ClsServiceManager, type ClsStore } from 'nestjs-cls';
import { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';

/**
 * The request a log line is written in, kept in the one AsyncLocalStorage of the process:
 * nestjs-cls's, which the transactions use too. On Node 20 every enabled AsyncLocalStorage
 * adds work to every promise made (its init hook), so the request id has no storage of its
 * own. A transaction's context copies the request's (`ifNested: 'inherit'`), so lines written
 * inside it carry the id as well.
 */
const cls = ClsServiceManager.getClsService();
const REQUEST_ID = Symbol('jewelshot.requestId');

type RequestStore = ClsStore & { [REQUEST_ID]?: string };

/** The id of the request the caller runs in, if any (the pino `mixin` adds it to every line). */
export function currentRequestId(): string | undefined {
  return (cls.get() as RequestStore | undefined)?.[REQUEST_ID];
}

/**
 * What `preValidation` enters again: the request's store and, with tracing on, its trace
 * context; and when the request came (for a request its client abandoned, which has no reply's
 * elapsed time).
 */
interface Entered {
  store: RequestStore;
  trace: Context;
  startedAt: number;
}

/**
 * The status an access line and the HTTP histogram give a request whose client closed the
 * connection before the answer was complete (an event stream left, a download cut short): 499,
 * as nginx says it. The line says `aborted: true` too.
 */
export const CLIENT_CLOSED_REQUEST = 499;

const entered = new WeakMap<FastifyRequest, Entered>();

let accessLogger: Pino | undefined;

/**
 * The access line's logger: a child of the root pino logger (same level, destination, mixin)
 * without the redaction walk, because the line has fixed fields and none of them is secret.
 * Writing it straight to pino, not through Nest's Logger and nestjs-pino, and without the
 * redaction halves its cost (bench:http profile, docs/perf/). Made at the first request: the
 * root logger exists once the logging module has started.
 */
function accessLog(): Pino | undefined {
  accessLogger ??= (PinoLogger.root as Pino | undefined)?.child(
    { context: 'HttpAccess' },
    { redact: [] },
  );
  return accessLogger;
}

/** Milliseconds since the request came, or null when it came before any hook ran. */
export function requestElapsedMs(request: FastifyRequest): number | null {
  const at = entered.get(request)?.startedAt;
  return at === undefined ? null : performance.now() - at;
}

/**
 * The request's one access line: the route template (`/v1/ai/jobs/:id`), never the URL, so no
 * ids or query strings. Also for answers Fastify gives before any hook (frameworkErrors).
 */
export function writeAccessLine(
  request: FastifyRequest,
  statusCode: number,
  durationMs: number | null,
  aborted = false,
): void {
  const line: Record<string, unknown> = {
    requestId: String(request.id),
    method: request.method,
    route: request.routeOptions.url ?? null,
    statusCode,
    durationMs: durationMs === null ? null : Math.round(durationMs * 10) / 10,
    userId: userIdOf(request) ?? null,
  };
  if (!aborted) {
    accessLog()?.info(line, 'request completed');
    return;
  }
  line.aborted = true;
  accessLog()?.info(line, 'request aborted by the client');
}

function userIdOf(request: FastifyRequest): string | undefined {
  const user = (request as FastifyRequest & { user?: { userId?: unknown } }).user;
  return typeof user?.userId === 'string' ? user.userId : undefined;
}

/**
 * Request ids on every line and one access line per request, from Fastify hooks.
 *
 * Why not nestjs-pino's middleware: on NestJS 12 with Fastify its middleware is registered
 * through @fastify/middie but never runs for our routes (no access line, no request id on
 * lines written in a request). Fastify hooks run for every request that reaches the server,
 * including those Fastify refuses while parsing the body (400, 413, 415) and the catch-all.
 *
 * The context is entered in `onRequest` and entered again before the handler, because body
 * parsing (stream events) loses the async context (as @fastify/request-context does): the same
 * store both times, so what is set in it before the body is read is still there after, and the
 * trace context of the request's span (OpenTelemetry's own storage; a no-op with tracing off).
 */
/** Fastify route config (Nest's `@RouteConfig`) read by the access log and the HTTP histogram. */
export interface AccessLogRouteConfig {
  /** Its requests write no access line (the health probes). */
  accessLog?: false;
  /**
   * A long answer its client may leave midway (an event stream, a download): a request left so
   * gets no onResponse, and is logged and measured as 499 instead. On these routes only, since
   * watching for it costs every request of a route (Fastify listens for the request's close).
   */
  abandonable?: true;
}

type AbortHook = (request: FastifyRequest, done: () => void) => void;

/** Adds `hook` as an onRequestAbort hook of the `abandonable` routes registered from now on. */
export function onAbandoned(fastify: FastifyInstance, hook: AbortHook): void {
  fastify.addHook('onRoute', (route) => {
    if ((route.config as AccessLogRouteConfig | undefined)?.abandonable !== true) return;
    const existing = route.onRequestAbort;
    route.onRequestAbort = [
      ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
      hook,
    ] as typeof route.onRequestAbort;
  });
}

export function registerRequestLogging(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const store: RequestStore = { [REQUEST_ID]: String(request.id) };
    entered.set(request, { store, trace: traceContext.active(), startedAt: performance.now() });
    cls.runWith(store, done);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const again = entered.get(request);
    if (again) traceContext.with(again.trace, () => cls.runWith(again.store, done));
    else done();
  });
  const logged = (request: FastifyRequest) =>
    (request.routeOptions.config as AccessLogRouteConfig | undefined)?.accessLog !== false;
  fastify.addHook('onResponse', (request, reply, done) => {
    if (logged(request)) writeAccessLine(request, reply.statusCode, reply.elapsedTime);
    done();
  });
  // A client that closes the connection before the answer is complete (an event stream it
  // leaves, a download it stops): no onResponse comes, and the line is written here instead.
  onAbandoned(fastify, (request, done) => {
    if (logged(request))
      writeAccessLine(request, CLIENT_CLOSED_REQUEST, requestElapsedMs(request), true);
    done();
  });
}
