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

/** What `preValidation` enters again: the request's store and, with tracing on, its trace context. */
interface Entered {
  store: RequestStore;
  trace: Context;
}

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
/** Fastify route config (Nest's `@RouteConfig`) of a route whose requests write no access line. */
export interface AccessLogRouteConfig {
  accessLog?: false;
}

export function registerRequestLogging(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const store: RequestStore = { [REQUEST_ID]: String(request.id) };
    entered.set(request, { store, trace: traceContext.active() });
    cls.runWith(store, done);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const again = entered.get(request);
    if (again) traceContext.with(again.trace, () => cls.runWith(again.store, done));
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if ((request.routeOptions.config as AccessLogRouteConfig | undefined)?.accessLog !== false) {
      accessLog()?.info(
        {
          requestId: String(request.id),
          method: request.method,
          // The route template (`/v1/ai/jobs/:id`), never the URL: no ids or query strings.
          route: request.routeOptions.url ?? null,
          statusCode: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime * 10) / 10,
          userId: userIdOf(request) ?? null,
        },
        'request completed',
      );
    }
    done();
  });
}
