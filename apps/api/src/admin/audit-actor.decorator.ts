import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '@jewelshot/audit';
import type { Principal } from '@jewelshot/identity';
import { REQUEST_ID_HEADER } from '@jewelshot/platform';

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Who is acting and from where, for the audit event: the caller, its address (as the rate limiter believes it), user agent and request id. */
export function auditActorOf(request: FastifyRequest & { user?: Principal }): AuditActor {
  return {
    actorId: request.user?.userId ?? null,
    actorEmail: request.user?.email ?? null,
    ip: request.ip ?? null,
    userAgent: header(request, 'user-agent'),
    requestId: header(request, REQUEST_ID_HEADER),
  };
}

/** The AuditActor of the request. */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): AuditActor =>
  auditActorOf(context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>()),
);
