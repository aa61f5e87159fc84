import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * The rate-limit policy of a route, read by the rate-limit hook (apps/api/src/http) from the
 * Fastify route config: the hook runs before any Nest guard, where Nest metadata is not at hand.
 */
export type RateLimitPolicy = 'default' | 'auth';

export interface RateLimitRouteConfig {
  rateLimitPolicy?: RateLimitPolicy;
}

/** Credential endpoints share the stricter `auth` bucket (AUTH_RATE_LIMIT_MAX per window). */
export const AuthRateLimit = (): MethodDecorator & ClassDecorator =>
  RouteConfig({ rateLimitPolicy: 'auth' } satisfies RateLimitRouteConfig) as MethodDecorator &
    ClassDecorator;
