import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AdminDenials } from '@jewelshot/admin';
import type { Principal, UserRole } from '@jewelshot/identity';
import { ForbiddenError, loggableError } from '@jewelshot/platform';
import { ROLES } from '../common/roles.decorator';
import { auditActorOf } from '../admin/audit-actor.decorator';

@Injectable()
export class RolesGuard implements CanActivate {
  private readonly logger = new Logger(RolesGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly denials: AdminDenials,
  ) {}

  // Not async: a route without roles, or a caller holding one, is let through without a promise.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const user = request.user;
    if (user && roles.includes(user.role)) return true;
    return this.deny(request, roles);
  }

  private async deny(
    request: FastifyRequest & { user?: Principal },
    roles: readonly UserRole[],
  ): Promise<never> {
    if (roles.includes('admin')) await recordAdminAttempt(this.denials, this.logger, request);
    throw new ForbiddenError('This route is for administrators');
  }
}

/**
 * On the record (rate-limited per caller): someone tried an admin route. A failure to record is
 * logged; the refusal stands either way.
 */
export async function recordAdminAttempt(
  denials: AdminDenials,
  logger: Logger,
  request: FastifyRequest & { user?: Principal },
): Promise<void> {
  try {
    await denials.record(auditActorOf(request), {
      method: request.method,
      path: request.routeOptions.url ?? request.url,
    });
  } catch (error) {
    logger.error({ err: loggableError(error) }, 'could not record a denied admin call');
  }
}
