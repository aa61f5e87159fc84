import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ActiveJobLimitError } from '@jewelshot/ai-jobs';
import { LoginBusyError, LoginLockedError } from '@jewelshot/identity';
import { loggableError } from '@jewelshot/platform';
import { sendError } from './error-response';
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
    const { unexpected, retryAfterSeconds } = sendError(reply, exception, String(request.id));
    // Never the raw error: its enumerable fields may hold a query's parameters. The request id
    // comes from the request context (the logger's mixin), like on every line of a request.
    if (unexpected) {
      this.logger.error({ err: loggableError(exception) }, 'unhandled error');
    }
    if (retryAfterSeconds !== undefined)
      this.logger.warn({ err: loggableError(exception) }, 'dependency unavailable: answered 503');
    // Counted with the limiter's refusals, each as a policy of its own.
    if (exception instanceof LoginLockedError || exception instanceof LoginBusyError)
      rateLimitRejections.inc({ policy: 'login-lock' });
    if (exception instanceof ActiveJobLimitError)
      rateLimitRejections.inc({ policy: 'active-jobs' });
  }
}
