import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';

export interface RequestContext {
  requestId: string;
}

/** The request a log line is written in; the pino `mixin` adds its id to every line. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

const scopes = new WeakMap<FastifyRequest, AsyncResource>();

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
 * parsing (stream events) loses the async context (as @fastify/request-context does).
 */
export function registerRequestLogging(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    requestContext.run({ requestId: String(request.id) }, () => {
      const scope = new AsyncResource('jewelshot-request');
      scopes.set(request, scope);
      scope.runInAsyncScope(done, request.raw);
    });
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.runInAsyncScope(done, request.raw);
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!request.url.startsWith('/health')) {
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
