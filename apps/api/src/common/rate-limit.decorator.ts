import { RouteConfig } from '@nestjs/platform-fastify';

/** The request-rate policies: each route counts against exactly one (`default` unless it says). */
export type RatePolicyName = 'default' | 'auth' | 'submit' | 'uploads';

/** The concurrency policies: requests in flight at once per caller, for expensive routes. */
export type ConcurrencyPolicyName = 'expensive' | 'downloads' | 'sse';

/**
 * The limits of a route, read by the rate-limit hook (apps/api/src/http) from the Fastify route
 * config: the hook runs before any Nest guard, where Nest metadata is not at hand.
 */
export interface RateLimitRouteConfig {
  rateLimitPolicy?: RatePolicyName;
  concurrencyPolicy?: ConcurrencyPolicyName;
  /**
   * `address`: every request counts by the client address, whatever credential it carries (a
   * route that takes none, such as a signed download: a header would otherwise buy a bucket).
   */
  countBy?: 'address';
}

/**
 * The route's rate policy and, for expensive routes, its concurrency policy. `uploads` also
 * counts the request's bytes (policy `upload-bytes`).
 */
export const RateLimit = (config: RateLimitRouteConfig): MethodDecorator & ClassDecorator =>
  RouteConfig(config) as MethodDecorator & ClassDecorator;

/** Credential endpoints share the stricter `auth` bucket (AUTH_RATE_LIMIT_MAX per window). */
export const AuthRateLimit = (): MethodDecorator & ClassDecorator =>
  RateLimit({ rateLimitPolicy: 'auth' });
