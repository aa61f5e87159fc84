import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '@jewelshot/platform';
import { toErrorBody } from './error-response';

/**
 * Errors Fastify's router raises before any route (a path that does not decode, such as
 * `%ED%A0%80`, an encoded lone surrogate) answered with the one error shape instead of Fastify's.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const { body } = toErrorBody(
    Object.assign(new Error('The request path is not valid'), {
      statusCode: error.statusCode ?? 400,
    }),
    String(request.id),
  );
  void reply
    .status(body.statusCode)
    .header(REQUEST_ID_HEADER, request.id)
    .header('content-type', 'application/json; charset=utf-8')
    .send(body);
}
