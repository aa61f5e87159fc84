import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceBusyError } from '../concurrency/work-queue';
import { toErrorBody } from './error-response';

/** The one exception filter: every error a route, guard, pipe or interceptor throws ends here. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, unexpected } = toErrorBody(exception, String(request.id));
    if (unexpected) {
      this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    }
    // A full work queue says when to come back.
    if (exception instanceof ServiceBusyError) void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
