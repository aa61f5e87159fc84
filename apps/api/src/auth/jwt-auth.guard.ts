import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import {
  AccessTokensService,
  AccountBannedError,
  ApiKeyNotAllowedError,
  ApiKeyPrincipals,
  PrincipalService,
  SessionEndedError,
  type Principal,
  type UserRole,
} from '@jewelshot/identity';
import { AdminDenials } from '@jewelshot/admin';
import { UnauthorizedError } from '@jewelshot/platform';
import { requireScopes } from '../common/key-scopes';
import { IS_PUBLIC } from '../common/public.decorator';
import { ROLES } from '../common/roles.decorator';
import { REQUIRED_SCOPES, type ApiKeyScope } from '../common/scopes.decorator';
import { checkAccessToken } from './access-token-check';
import { recordAdminAttempt } from './roles.guard';
import { AcceptedApiKeys, presentedApiKey } from './api-key-header';

type AuthRequest = FastifyRequest & { user?: Principal };

/**
 * The one auth guard: every route needs a valid access token unless marked @Public(). An API
 * key (`Authorization: Bearer js_live_...`, never a cookie) acts for its user on the routes
 * marked @RequireScopes(...) only, and only with the scopes it was given.
 *
 * An access token is verified once per request: the rate-limit hook has usually done it already
 * (to know the caller) and its answer is taken as it is (access-token-check.ts). Then the caller
 * as the database sees them now (through PrincipalService's short cache): banned, session ended.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyPrincipals,
    private readonly tokens: AccessTokensService,
    private readonly principals: PrincipalService,
    private readonly acceptedKeys: AcceptedApiKeys,
    private readonly denials: AdminDenials,
  ) {}

  private readonly logger = new Logger(JwtAuthGuard.name);

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const key = presentedApiKey(request);
    if (key !== undefined) {
      const required = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(
        REQUIRED_SCOPES,
        targets,
      );
      const adminRoute =
        this.reflector
          .getAllAndOverride<UserRole[] | undefined>(ROLES, targets)
          ?.includes('admin') ?? false;
      return this.authenticateKey(request, key, required, adminRoute);
    }
    return this.authenticateToken(request);
  }

  /** Not async: with the caller in PrincipalService's cache (most requests) no promise is made. */
  private authenticateToken(request: AuthRequest): boolean | Promise<boolean> {
    const check = checkAccessToken(request, this.tokens)?.check;
    if (!check) throw new UnauthorizedError('A valid access token is required');
    if (!check.ok) {
      // A correctly signed token whose claims break our rules (no exp, too long a lifetime)
      // says so less precisely than a forged or expired one, as it always has.
      throw check.signed
        ? new UnauthorizedError()
        : new UnauthorizedError('A valid access token is required');
    }
    const { sub, sid } = check.claims;
    const cached = this.principals.cached(sub, sid);
    if (cached !== undefined) return admit(request, cached);
    // A database error is not caught here: a 401 for an outage would log every client out.
    // The filter maps it (503).
    return this.principals.resolve(sub, sid).then((principal) => admit(request, principal));
  }

  private async authenticateKey(
    request: AuthRequest,
    key: string,
    required: readonly ApiKeyScope[] | undefined,
    adminRoute: boolean,
  ): Promise<boolean> {
    const principal = await this.apiKeys.resolve(key);
    // A key refused is no longer counted as its owner: a revoked key in other hands must not
    // spend the owner's limits (from now on it counts by address, as a made-up key does).
    if (!principal || principal.via.kind !== 'api-key') {
      this.acceptedKeys.forget(key);
      throw new UnauthorizedError('The API key is invalid, expired or revoked');
    }
    if (principal.status === 'banned') {
      this.acceptedKeys.forget(key);
      throw new AccountBannedError();
    }
    // A real key: from now on the rate limiter counts it in its owner's buckets.
    this.acceptedKeys.remember(key, principal.userId);
    if (!required) {
      // A key on an admin route is refused here, before the roles guard: on the record too.
      if (adminRoute) {
        // The actor on the record is the key's owner (the request is refused either way).
        request.user = principal;
        await recordAdminAttempt(this.denials, this.logger, request);
      }
      throw new ApiKeyNotAllowedError();
    }
    requireScopes(principal, required);
    request.user = principal;
    return true;
  }
}

/** The caller a session token stands for, if they may act now: set on the request. */
function admit(request: AuthRequest, principal: Principal | null): true {
  if (!principal) throw new UnauthorizedError();
  if (principal.status === 'banned') throw new AccountBannedError();
  if (!principal.sessionOpen) throw new SessionEndedError();
  request.user = principal;
  return true;
}
