import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AccessTokensService } from '@jewelshot/identity';
import { DomainError, REDIS, RedisThrottlerStorage } from '@jewelshot/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { toErrorBody } from './error-response';
import type { RateLimitPolicy, RateLimitRouteConfig } from '../common/auth-rate-limit.decorator';

const BEARER = /^Bearer\s+(\S+)$/i;

/** Paths never limited: probes must answer even while a client floods the API. */
function exempt(url: string): boolean {
  return url === '/health' || url.startsWith('/health/') || url.startsWith('/health?');
}

function policyOf(request: FastifyRequest): RateLimitPolicy {
  const config = request.routeOptions.config as RateLimitRouteConfig | undefined;
  return config?.rateLimitPolicy ?? 'default';
}

/**
 * Rate limiting as a Fastify `onRequest` hook, so that it counts and labels every request that
 * reaches the server, including those Fastify refuses while parsing the body (400 bad JSON,
 * 413, 415), which no Nest guard ever sees.
 *
 * One bucket per caller and policy, shared by every route of the policy: the user of a valid
 * access token (verified here, without the database), else the client address (`request.ip`,
 * which believes X-Forwarded-For only from TRUSTED_PROXIES). An invalid token counts per
 * address, so rotating garbage tokens buys no fresh buckets. Counters live in Redis (atomic
 * Lua); if Redis errors or hangs past REDIS_COMMAND_TIMEOUT_MS the request goes through and
 * that is logged now and then.
 */
export function registerRateLimitHook(app: NestFastifyApplication): void {
  const config = app.get<ApiConfig>(API_CONFIG);
  const storage = new RedisThrottlerStorage(app.get<Redis>(REDIS));
  const tokens = app.get(AccessTokensService);
  const logger = new Logger('RateLimit');
  let lastWarned = 0;

  const limits: Record<RateLimitPolicy, number> = {
    default: config.RATE_LIMIT_MAX,
    auth: config.AUTH_RATE_LIMIT_MAX,
  };

  function callerOf(request: FastifyRequest): string {
    const match = BEARER.exec(request.headers.authorization ?? '');
    const claims = match?.[1] ? tokens.verify(match[1]) : null;
    return claims ? `user:${claims.sub}` : `ip:${request.ip}`;
  }

  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (exempt(request.url)) return;
      const policy = policyOf(request);
      const limit = limits[policy];
      let count;
      try {
        count = await storage.increment(
          callerOf(request),
          config.RATE_LIMIT_WINDOW_MS,
          limit,
          config.RATE_LIMIT_WINDOW_MS,
          policy,
        );
      } catch (error) {
        // Said now and then, not once per request, while Redis is away.
        if (Date.now() - lastWarned > 10_000) {
          lastWarned = Date.now();
          logger.warn(
            `rate limiting skipped: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        return;
      }
      void reply.header('x-ratelimit-limit', String(limit));
      void reply.header('x-ratelimit-remaining', String(Math.max(0, limit - count.totalHits)));
      void reply.header(
        'x-ratelimit-reset',
        String(count.isBlocked ? count.timeToBlockExpire : count.timeToExpire),
      );
      if (!count.isBlocked) return;
      const error = new DomainError(
        'RATE_LIMIT_EXCEEDED',
        'Too many requests. Retry after the time in Retry-After.',
        {
          limit,
          retryAfterSeconds: count.timeToBlockExpire,
        },
      );
      const { body } = toErrorBody(error, String(request.id));
      return reply
        .code(429)
        .header('retry-after', String(count.timeToBlockExpire))
        .header('content-type', 'application/json; charset=utf-8')
        .send(body);
    });
}
