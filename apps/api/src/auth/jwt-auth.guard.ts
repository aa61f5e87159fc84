import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { UnauthorizedError } from '@jewelshot/platform';
import { IS_PUBLIC } from '../common/public.decorator';

/** The one auth guard: every route needs a valid access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    // passport-jwt reports a bad token through `user === false`; an `error` comes from our
    // validate() (a domain refusal, or the database being down). Only the first may become a
    // 401: a 401 for an outage would log every client out. The filter maps the rest (503).
    if (error) throw error;
    if (!user) throw new UnauthorizedError('A valid access token is required');
    return user;
  }
}
