import { RouteConfig } from '@nestjs/platform-fastify';
import type { AccessLogRouteConfig } from '@jewelshot/platform';

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
  /** Never limited: probes and scrapes must answer even while a client floods the API. */
  exempt?: true;
  /**
   * A submit that spends: answered by REQUEST_DEADLINE_MS, and its services keep the deadline:
   * never committed after it (request-deadline.ts).
   */
  submitDeadline?: true;
  /**
   * A read with no REQUEST_DEADLINE_MS: an answer that takes as long as its tables are large
   * (the ledger's and the audit chain's verification, the ledger summary).
   */
  noDeadline?: true;
}

/**
 * The route's rate policy and, for expensive routes, its concurrency policy. `uploads` also
 * counts the request's bytes (policy `upload-bytes`). With them, in the same Fastify route
 * config, what the access log and the HTTP histogram read (`abandonable`: a long answer its
 * client may leave midway).
 */
export const RateLimit = (
  config: RateLimitRouteConfig & AccessLogRouteConfig,
): MethodDecorator & ClassDecorator => RouteConfig(config) as MethodDecorator & ClassDecorator;

/** Credential endpoints share the stricter `auth` bucket (AUTH_RATE_LIMIT_MAX per window). */
export const AuthRateLimit = (): MethodDecorator & ClassDecorator =>
  RateLimit({ rateLimitPolicy: 'auth' });

/**
 * A health probe: never rate-limited, and no access line (monitors ask every few seconds). On
 * the route itself, not on a path prefix: `/health/anything-else` is an ordinary 404, limited
 * and logged.
 */
export const Probe = (): MethodDecorator =>
  RouteConfig({ exempt: true, accessLog: false } satisfies RateLimitRouteConfig &
    AccessLogRouteConfig) as MethodDecorator;
