import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ActiveJobLimitError } from '@jewelshot/ai-jobs';
import { LoginBusyError, LoginLockedError } from '@jewelshot/identity';
import { loggableError, ServiceBusyError } from '@jewelshot/platform';
import { toErrorBody } from './error-response';
import { rateLimitRejections } from './http.metrics';

/** The one exception filter: every error a route, guard, pipe or interceptor throws ends here. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Already answered (its request's deadline answered it; what its work ends with is no one's).
    if (reply.sent) return;
    const { body, unexpected, retryAfterSeconds } = toErrorBody(exception, String(request.id));
    // Never the raw error: its enumerable fields may hold a query's parameters. The request id
    // comes from the request context (the logger's mixin), like on every line of a request.
    if (unexpected) {
      this.logger.error({ err: loggableError(exception) }, 'unhandled error');
    }
    if (retryAfterSeconds !== undefined) {
      this.logger.warn({ err: loggableError(exception) }, 'dependency unavailable: answered 503');
      void reply.header('retry-after', String(retryAfterSeconds));
    }
    // A 429 or 503 raised in the domain (the login lockout, a submit past its deadline) says
    // when to retry, like the rate limiter; so does the 409 of an Idempotency-Key in flight.
    const retryAfter = (body.details as { retryAfterSeconds?: unknown } | undefined)
      ?.retryAfterSeconds;
    if ([409, 429, 503].includes(body.statusCode) && typeof retryAfter === 'number')
      void reply.header('retry-after', String(retryAfter));
    // Counted with the limiter's refusals, each as a policy of its own.
    if (exception instanceof LoginLockedError || exception instanceof LoginBusyError)
      rateLimitRejections.inc({ policy: 'login-lock' });
    if (exception instanceof ActiveJobLimitError)
      rateLimitRejections.inc({ policy: 'active-jobs' });
    // A 401 names the scheme that would have been accepted (RFC 9110 §11.6.1, RFC 6750 §3).
    if (body.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="jewelshot"');
    // A full work queue says when to come back.
    if (exception instanceof ServiceBusyError)
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply
      .status(body.statusCode)
      .header('content-type', 'application/json; charset=utf-8')
      .send(body);
  }
}
