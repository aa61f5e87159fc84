import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal, UserRole } from '@jewelshot/identity';
import { ForbiddenError } from '@jewelshot/platform';
import { ROLES } from '../common/roles.decorator';

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (!user || !roles.includes(user.role))
      throw new ForbiddenError('This route is for administrators');
    return true;
  }
}
