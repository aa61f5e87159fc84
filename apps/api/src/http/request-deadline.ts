import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessLogRouteConfig } from '@jewelshot/platform';
import { CommitDeadline, ReadDeadlinePassedError } from '@jewelshot/platform';
import { type ApiConfig } from '../api.config';
import type { RateLimitRouteConfig } from '../common/rate-limit.decorator';
import { sendError } from './error-response';

/** A request's timer, and a submit's deadline its services keep. */
interface KeptDeadline {
  timer: NodeJS.Timeout;
  deadline: CommitDeadline | undefined;
}

const kept = new WeakMap<FastifyRequest, KeptDeadline>();

/**
 * The deadline of a request to a route marked `submitDeadline` (a job's or a batch's submit),
 * for the services to check before they start and before they commit. Elsewhere, one that never
 * passes.
 */
export function submitDeadlineOf(request: FastifyRequest): CommitDeadline {
  return kept.get(request)?.deadline ?? new CommitDeadline();
}

type DeadlineRouteConfig = RateLimitRouteConfig & AccessLogRouteConfig;

/**
 * Which deadline a route keeps, or null for none: a submit (`submitDeadline`), whose services
 * keep it; a read (GET), which changes nothing the client waits on. No deadline for probes and
 * scrapes (they time their own checks), long answers a client reads at its own pace
 * (`abandonable`: event streams, downloads, the audit export), the reads that walk whole tables
 * (`noDeadline`), nor for any other write: one that keeps no deadline of its own would commit
 * after its 503 when the database woke (a refresh token's rotation then took its retry for a
 * stolen token and ended the session), and a write may wait on something else than the
 * database (a sign-in on the password hashing queue).
 */
function deadlineKind(
  config: DeadlineRouteConfig | undefined,
  method: string | string[],
): 'submit' | 'read' | null {
  if (config?.exempt || config?.abandonable || config?.noDeadline) return null;
  if (config?.submitDeadline) return 'submit';
  const methods = [method].flat();
  return methods.every((name) => name === 'GET' || name === 'HEAD') ? 'read' : null;
}

/**
 * REQUEST_DEADLINE_MS from a read's arrival, or from the moment a submit is read (its body too:
 * a slow client's sending is not the server's time), before the guards and the handler: whatever
 * it waits on then (a database that hangs, in the caller's status read or in its own work), the
 * client is answered 503 with Retry-After at the deadline, instead of being cut off by the HTTP
 * idle timeout with no answer. A submit's services keep the deadline (CommitDeadline): it starts
 * nothing more and never commits ("nothing was done"; the outcome unknown should its COMMIT be
 * on its way). A hook of those routes (Fastify's `onRoute`): a timer per request, cleared as
 * the response ends. Fastify's own `handlerTimeout` cannot serve: it takes the end of a
 * request's body for the client leaving, and gives up the timer there.
 */
export function useRequestDeadlines(app: NestFastifyApplication, config: ApiConfig): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const kind = deadlineKind(route.config as DeadlineRouteConfig | undefined, route.method);
      if (kind === null) return;
      const start = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
        const deadline = kind === 'submit' ? new CommitDeadline() : undefined;
        const timer = setTimeout(() => {
          // Answered, or its client gone: nobody to tell.
          if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
          const error = deadline ? deadline.expire() : new ReadDeadlinePassedError();
          sendError(reply, error, String(request.id));
        }, config.REQUEST_DEADLINE_MS);
        timer.unref();
        kept.set(request, { timer, deadline });
        done();
      };
      const stop = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
        const entry = kept.get(request);
        if (entry !== undefined) clearTimeout(entry.timer);
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
