import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import {
  AccountBannedError,
  ApiKeyNotAllowedError,
  ApiKeyPrincipals,
  InsufficientScopeError,
  type Principal,
} from '@jewelshot/identity';
import { UnauthorizedError } from '@jewelshot/platform';
import { IS_PUBLIC } from '../common/public.decorator';
import { REQUIRED_SCOPES, type ApiKeyScope } from '../common/scopes.decorator';
import { presentedApiKey } from './api-key-header';

/**
 * The one auth guard: every route needs a valid access token unless marked @Public(). An API
 * key (`Authorization: Bearer js_live_...`, never a cookie) acts for its user on the routes
 * marked @RequireScopes(...) only, and only with the scopes it was given.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyPrincipals,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const key = presentedApiKey(request);
    if (key !== undefined) {
      const required = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(
        REQUIRED_SCOPES,
        targets,
      );
      return this.authenticateKey(request, key, required);
    }
    return super.canActivate(context);
  }

  private async authenticateKey(
    request: FastifyRequest & { user?: Principal },
    key: string,
    required: readonly ApiKeyScope[] | undefined,
  ): Promise<boolean> {
    const principal = await this.apiKeys.resolve(key);
    if (!principal || principal.via.kind !== 'api-key')
      throw new UnauthorizedError('The API key is invalid, expired or revoked');
    if (principal.status === 'banned') throw new AccountBannedError();
    if (!required) throw new ApiKeyNotAllowedError();
    const granted = principal.via.scopes;
    const missing = required.find((scope) => !granted.includes(scope));
    if (missing) throw new InsufficientScopeError(missing);
    request.user = principal;
    return true;
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
