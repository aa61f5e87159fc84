import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RequestContext {
  requestId: string;
}

/** The request a log line is written in; the pino `mixin` adds its id to every line. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

const scopes = new WeakMap<FastifyRequest, AsyncResource>();

const accessLog = new Logger('HttpAccess');

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
      accessLog.log(
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
