import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Principal } from '@jewelshot/identity';
import { UnauthorizedError } from '@jewelshot/platform';

/** The authenticated caller, as the auth guard resolved it. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<{ user?: Principal }>();
    if (!request.user) throw new UnauthorizedError();
    return request.user;
  },
);
