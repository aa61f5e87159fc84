import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER, writeAccessLine } from '@jewelshot/platform';
import { sendError } from './error-response';
import { observeRequest } from './http.metrics';

/**
 * Errors Fastify's router raises before any route (a path that does not decode, such as
 * `%ED%A0%80`, an encoded lone surrogate) answered with the one error shape instead of Fastify's.
 * No hook runs for them: the access line and the HTTP histogram's observation are written here.
 * Not rate-limited: refused before any work, they cost less than counting them would.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply.header(REQUEST_ID_HEADER, request.id);
  const { body } = sendError(
    reply,
    Object.assign(new Error('The request path is not valid'), {
      statusCode: error.statusCode ?? 400,
    }),
    String(request.id),
  );
  // No hook ran, so nothing says when the request came: its duration is not known.
  writeAccessLine(request, body.statusCode, null);
  observeRequest(request, body.statusCode, 0);
}
