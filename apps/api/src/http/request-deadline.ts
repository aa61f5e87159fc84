import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessLogRouteConfig } from '@jewelshot/platform';
import { CommitDeadline, DeadlineOutcomeUnknownError } from '@jewelshot/platform';
import { type ApiConfig } from '../api.config';
import type { RateLimitRouteConfig } from '../common/rate-limit.decorator';
import { toErrorBody } from './error-response';

const deadlines = new WeakMap<FastifyRequest, CommitDeadline>();
const timers = new WeakMap<FastifyRequest, NodeJS.Timeout>();

/**
 * The deadline of a request to a route marked `submitDeadline` (a job's or a batch's submit),
 * for the services to check before they start and before they commit. Elsewhere, one that never
 * passes.
 */
export function submitDeadlineOf(request: FastifyRequest): CommitDeadline {
  return deadlines.get(request) ?? new CommitDeadline();
}

type DeadlineRouteConfig = RateLimitRouteConfig & AccessLogRouteConfig;

/**
 * What a route's request is told when REQUEST_DEADLINE_MS passes before its answer, or null for
 * a route that has no deadline: probes and scrapes (they time their own checks), long answers a
 * client reads at its own pace (`abandonable`: event streams, downloads, the audit export),
 * uploads (their body is read by the handler, at the client's pace) and the verifications that
 * walk whole tables (`noDeadline`).
 */
function deadlineKind(
  config: DeadlineRouteConfig | undefined,
  method: string | string[],
): 'submit' | 'read' | 'write' | null {
  if (config?.exempt || config?.abandonable || config?.noDeadline) return null;
  if (config?.rateLimitPolicy === 'uploads') return null;
  if (config?.submitDeadline) return 'submit';
  const methods = [method].flat();
  return methods.every((name) => name === 'GET' || name === 'HEAD') ? 'read' : 'write';
}

/**
 * REQUEST_DEADLINE_MS from the moment a request is read (its body too: a slow client's upload
 * time is not the server's; a read, which has none, from its arrival), before the guards and the
 * handler: whatever it waits on then (a
 * database that hangs, in the caller's status read or in its own work), the client is answered
 * 503 at the deadline instead of being cut off by the HTTP idle timeout with no answer:
 * - a submit (`submitDeadline`): its services keep the deadline (CommitDeadline), so the submit
 *   starts nothing more and never commits: "nothing was done", with Retry-After (or the outcome
 *   unknown, should its COMMIT be on its way);
 * - a read (GET): "nothing was done", with Retry-After;
 * - any other write: the outcome is unknown (`details.outcome`, no Retry-After): what it sent
 *   may still be carried out when the database wakes (those writes are idempotent by key or
 *   reference, or plain to look for).
 * A hook of each route (Fastify's `onRoute`): a timer per request, cleared as the response ends.
 * Fastify's own `handlerTimeout` cannot serve: it takes the end of a request's body for the
 * client leaving, and gives up the timer there.
 */
export function useRequestDeadlines(app: NestFastifyApplication, config: ApiConfig): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const kind = deadlineKind(route.config as DeadlineRouteConfig | undefined, route.method);
      if (kind === null) return;
      const start = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
        let deadline: CommitDeadline | undefined;
        if (kind === 'submit') {
          deadline = new CommitDeadline();
          deadlines.set(request, deadline);
        }
        const timer = setTimeout(() => {
          // Answered, or its client gone: nobody to tell.
          if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
          const error =
            kind === 'write'
              ? new DeadlineOutcomeUnknownError()
              : (deadline ?? new CommitDeadline()).expire();
          const { body } = toErrorBody(error, String(request.id));
          const retryAfter = (body.details as { retryAfterSeconds?: number } | undefined)
            ?.retryAfterSeconds;
          if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
          void reply
            .code(body.statusCode)
            .header('content-type', 'application/json; charset=utf-8')
            .send(body);
        }, config.REQUEST_DEADLINE_MS);
        timer.unref();
        timers.set(request, timer);
        done();
      };
      const stop = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
        const timer = timers.get(request);
        if (timer !== undefined) clearTimeout(timer);
        done();
      };
      // A read has no body: it starts as it arrives, in the phase every request runs anyway
      // (a hook of a phase no other hook uses would cost each read its own step).
      if (kind === 'read')
        route.onRequest =
          route.onRequest === undefined ? [start] : [...[route.onRequest].flat(), start];
      else
        route.preHandler =
          route.preHandler === undefined ? [start] : [start, ...[route.preHandler].flat()];
      route.onResponse =
        route.onResponse === undefined ? [stop] : [...[route.onResponse].flat(), stop];
    });
}
