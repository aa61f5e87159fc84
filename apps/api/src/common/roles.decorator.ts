import { SetMetadata } from '@nestjs/common';
import type { UserRole } from '@jewelshot/identity';

export const ROLES = 'jewelshot:roles';

/** Only callers with one of these roles may use the route. */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES, roles);
