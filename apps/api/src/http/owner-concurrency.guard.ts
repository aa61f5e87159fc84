import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@jewelshot/identity';
import {
  DomainError,
  RateLimiterHealth,
  RedisConcurrencyStorage,
  throttledWarn,
} from '@jewelshot/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';
import type { ConcurrencyPolicyName, RateLimitRouteConfig } from '../common/rate-limit.decorator';
import { rateLimitRejections } from './http.metrics';
import { slotBucketOf, takeConcurrencySlot } from './concurrency-slot';
import {
  policyTable,
  rateLimitField,
  type PolicyState,
  type PolicyTable,
} from './rate-limit-policies';

/**
 * A user's concurrency limits hold across their API keys (SSE_MAX_OPEN_PER_USER,
 * CONCURRENCY_LIMIT_PER_USER; signed downloads count by address and take no credential). The
 * rate-limit hook runs before the guards and reads no database: it counts a key in its owner's
 * bucket (`user:<id>`) only once this process's auth guard has accepted it, and a key's first
 * request here by address. Once the auth guard has resolved a key to its owner, a request on a
 * route with a concurrency policy whose slot the hook did not take in the owner's bucket takes
 * one there too, given back when the response ends or the client goes away; refused, it is the
 * hook's 429 (`RATE_LIMIT_EXCEEDED`, the policy named, Retry-After 1 s). Session callers were
 * counted in that bucket by the hook already. A Redis failure lets the request through, as the
 * hook does.
 */
@Injectable()
export class OwnerConcurrencyGuard implements CanActivate {
  private readonly table: PolicyTable;
  private readonly slots: RedisConcurrencyStorage | undefined;
  private readonly warn = throttledWarn(new Logger('RateLimit'));

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    slots: RedisConcurrencyStorage,
    private readonly health: RateLimiterHealth,
  ) {
    this.table = policyTable(config);
    this.slots = config.RATE_LIMIT_ENABLED === 'false' ? undefined : slots;
  }

  // Not async: a session caller, or a route without a concurrency policy, passes without a promise.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.slots) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: Principal }>();
    const principal = request.user;
    if (principal?.via.kind !== 'api-key') return true;
    const policy = (request.routeOptions.config as RateLimitRouteConfig | undefined)
      ?.concurrencyPolicy;
    if (!policy) return true;
    const owner = `user:${principal.userId}`;
    if (slotBucketOf(request) === owner) return true;
    return this.take(this.slots, owner, policy, http.getResponse());
  }

  private async take(
    slots: RedisConcurrencyStorage,
    owner: string,
    policy: ConcurrencyPolicyName,
    reply: FastifyReply,
  ): Promise<boolean> {
    let state: PolicyState;
    try {
      state = await takeConcurrencySlot(
        slots,
        owner,
        policy,
        this.table.concurrency[policy],
        reply,
        (error) => this.warn(`owner concurrency slot not released: ${messageOf(error)}`),
      );
    } catch (error) {
      this.health.failedOpen();
      this.warn(`owner concurrency skipped: ${messageOf(error)}`);
      return true;
    }
    if (!state.exceeded) return true;
    rateLimitRejections.inc({ policy });
    // The policy that refused, as the hook says it (the address's bucket had room).
    void reply.header('ratelimit', rateLimitField(state));
    throw new DomainError(
      'RATE_LIMIT_EXCEEDED',
      "Too many requests in flight for this key's account. Retry after the time in Retry-After.",
      { policy, limit: state.quota, retryAfterSeconds: 1 },
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
