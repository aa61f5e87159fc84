import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommitDeadline } from '@jewelshot/platform';
import { type ApiConfig } from '../api.config';
import type { RateLimitRouteConfig } from '../common/rate-limit.decorator';
import { toErrorBody } from './error-response';

const deadlines = new WeakMap<FastifyRequest, CommitDeadline>();

/**
 * The deadline of a request to a route marked `submitDeadline` (a job's or a batch's submit),
 * for the services to check before they start and before they commit. Elsewhere, one that never
 * passes.
 */
export function submitDeadlineOf(request: FastifyRequest): CommitDeadline {
  return deadlines.get(request) ?? new CommitDeadline();
}

/**
 * SUBMIT_DEADLINE_MS for the submits, from the request's arrival: whatever it is waiting on
 * then (a database that hangs, in the caller's status read or in the submit's transaction), the
 * client is answered 503 (CommitDeadline.expire says which), and the submit starts nothing more
 * and never commits. A hook of those routes only (Fastify's `onRoute`), so no other request pays
 * for a timer. Fastify's own `handlerTimeout` cannot serve: it takes the end of a request's body
 * for the client leaving, and gives up the timer there.
 */
export function useSubmitDeadlines(app: NestFastifyApplication, config: ApiConfig): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (!(route.config as RateLimitRouteConfig | undefined)?.submitDeadline) return;
      const own = route.onRequest;
      const start = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
        const deadline = new CommitDeadline();
        deadlines.set(request, deadline);
        const timer = setTimeout(() => {
          if (reply.sent) return;
          const { body } = toErrorBody(deadline.expire(), String(request.id));
          const retryAfter = (body.details as { retryAfterSeconds?: number } | undefined)
            ?.retryAfterSeconds;
          if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
          void reply
            .code(body.statusCode)
            .header('content-type', 'application/json; charset=utf-8')
            .send(body);
        }, config.SUBMIT_DEADLINE_MS);
        timer.unref();
        reply.raw.once('close', () => clearTimeout(timer));
        done();
      };
      route.onRequest = own === undefined ? [start] : [start, ...[own].flat()];
    });
}
