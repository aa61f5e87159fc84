import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AccessTokensService } from '@jewelshot/identity';
import {
  DomainError,
  RateLimiterHealth,
  REDIS,
  RedisConcurrencyStorage,
  RedisThrottlerStorage,
  throttledWarn,
} from '@jewelshot/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { checkAccessToken } from '../auth/access-token-check';
import type {
  ConcurrencyPolicyName,
  RateLimitRouteConfig,
  RatePolicyName,
} from '../common/rate-limit.decorator';
import { sendError } from './error-response';
import { rateLimitRejections } from './http.metrics';
import { takeConcurrencySlot } from './concurrency-slot';
import {
  closestToLimit,
  limitsFor,
  policyTable,
  RATE_LIMIT_CALLER_RESOLVERS,
  rateLimitField,
  rateLimitPolicyField,
  type PolicyState,
  type PolicyTable,
  type RateLimitCaller,
  type RateLimitCallerResolver,
  type WindowQuota,
} from './rate-limit-policies';

/** A policy's window and what one request counts for in it. */
interface CountedWindow {
  name: RatePolicyName | 'upload-bytes';
  quota: WindowQuota;
  cost: number;
}

function routeLimits(request: FastifyRequest): RateLimitRouteConfig {
  return (request.routeOptions.config as RateLimitRouteConfig | undefined) ?? {};
}

/**
 * Rate and concurrency limiting as a Fastify `onRequest` hook, so that it counts and labels every
 * request that reaches the server, including those Fastify refuses while parsing the body (400
 * bad JSON, 413, 415), which no Nest guard ever sees.
 *
 * One bucket per caller and policy, shared by every route of the policy (the policies and their
 * limits: rate-limit-policies.ts). The caller is the first answer of the
 * RATE_LIMIT_CALLER_RESOLVERS (an accepted API key, counted as its owner), else the user of a
 * valid access token (verified here, without the database), else the client address
 * (`request.ip`, which believes X-Forwarded-For only from TRUSTED_PROXIES); the credential
 * routes and the signed download count by address whatever they carry. An invalid token counts
 * per address, so rotating garbage tokens buys no fresh buckets. Counters and in-flight slots live in Redis (atomic Lua), shared by every API
 * process; if Redis errors or hangs past REDIS_COMMAND_TIMEOUT_MS the request goes through, the
 * health report says the limiter is degraded, and that is logged now and then.
 *
 * Every response that passed the limiter carries X-RateLimit-Limit/Remaining/Reset (the route's
 * request-rate policy), RateLimit-Policy (every policy that applied) and RateLimit (the one
 * closest to its limit).
 */
export function registerRateLimitHook(app: NestFastifyApplication): void {
  const config = app.get<ApiConfig>(API_CONFIG);
  if (config.RATE_LIMIT_ENABLED === 'false') return;
  const redis = app.get<Redis>(REDIS);
  const counters = new RedisThrottlerStorage(redis);
  const slots = app.get(RedisConcurrencyStorage);
  const tokens = app.get(AccessTokensService);
  const health = app.get(RateLimiterHealth);
  const resolvers = app.get<RateLimitCallerResolver[]>(RATE_LIMIT_CALLER_RESOLVERS);
  const table = policyTable(config);
  // Said at most every 10 s while Redis is away, not once per request; a Redis that flaps (a
  // spell ending and starting again within seconds) is not said once per flap either.
  const logger = new Logger('RateLimit');
  const warnOften = throttledWarn(logger);

  function callerOf(request: FastifyRequest, route: RateLimitRouteConfig): RateLimitCaller {
    // The credential routes count by address whatever the request carries: a key or an access
    // token there bought a bucket of its own, and each account signed up another (so one
    // address had endless sign-ups and logins across emails by chaining new accounts' tokens).
    if (route.countBy === 'address' || route.rateLimitPolicy === 'auth')
      return { key: `ip:${request.ip}` };
    for (const resolve of resolvers) {
      const caller = resolve(request);
      if (caller) return caller;
    }
    // Kept on the request: the auth guard takes this answer instead of verifying again.
    const checked = checkAccessToken(request, tokens);
    return {
      key: checked?.check.ok ? `user:${checked.check.claims.sub}` : `ip:${request.ip}`,
    };
  }

  function warn(what: string, error: unknown): void {
    warnOften(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }

  function failedOpen(error: unknown): void {
    health.failedOpen();
    warn('rate limiting skipped', error);
  }

  /** Bytes an upload counts for: its Content-Length, or the largest upload when it has none. */
  function uploadBytes(request: FastifyRequest): number {
    const length = Number(request.headers['content-length']);
    return Number.isSafeInteger(length) && length > 0
      ? Math.min(length, config.UPLOAD_MAX_BYTES)
      : config.UPLOAD_MAX_BYTES;
  }

  /** The windows a request counts against: its route's policy, and an upload's bytes too. */
  function windowsOf(
    request: FastifyRequest,
    ratePolicy: RatePolicyName,
    limits: PolicyTable,
  ): CountedWindow[] {
    const windows: CountedWindow[] = [
      { name: ratePolicy, quota: limits.rate[ratePolicy], cost: 1 },
    ];
    if (ratePolicy === 'uploads')
      windows.push({
        name: 'upload-bytes',
        quota: limits.rate['upload-bytes'],
        cost: uploadBytes(request),
      });
    return windows;
  }

  /** Counts the request against each window, all or none: a refusal counts in none of them. */
  function count(caller: RateLimitCaller, windows: CountedWindow[]): Promise<PolicyState[]> {
    return counters
      .incrementAll(
        caller.key,
        windows.map(({ name, quota, cost }) => ({
          name,
          windowMs: quota.windowMs,
          limit: quota.quota,
          cost,
        })),
      )
      .then((results) =>
        results.map((result, i) => {
          const { name, quota } = windows[i] as CountedWindow;
          return {
            name,
            unit: name === 'upload-bytes' ? 'content-bytes' : 'request',
            quota: quota.quota,
            windowSeconds: Math.ceil(quota.windowMs / 1000),
            // A refused request: what is left may be more than nothing (bytes), but not enough.
            remaining: Math.max(0, quota.quota - result.totalHits),
            resetSeconds: result.timeToExpire,
            exceeded: result.exceeded,
          };
        }),
      );
  }

  /**
   * A route that limits requests in flight too: its slot first, then its windows. Refused a
   * slot, the request counts in no window (they are only read, for the headers); refused by a
   * window, its slot is given back as the 429 ends, as any slot is when its response does.
   */
  async function withSlot(
    request: FastifyRequest,
    reply: FastifyReply,
    concurrency: ConcurrencyPolicyName,
    ratePolicy: RatePolicyName,
    caller: RateLimitCaller,
    limits: PolicyTable,
  ): Promise<PolicyState[]> {
    const slot = await takeConcurrencySlot(
      slots,
      caller.key,
      concurrency,
      limits.concurrency[concurrency],
      reply,
      (error) => warn('concurrency slot not released', error),
    );
    const windows = windowsOf(request, ratePolicy, limits);
    const states = await count(
      caller,
      slot.exceeded ? windows.map((window) => ({ ...window, cost: 0 })) : windows,
    );
    return [...states, slot];
  }

  /** The rate-limit headers on the reply; a 429 sent when a policy is exceeded (then true). */
  function answer(request: FastifyRequest, reply: FastifyReply, states: PolicyState[]): boolean {
    if (health.enforced()) logger.log('rate limiting enforced again: Redis answers');
    const [rate] = states;
    const closest = closestToLimit(states);
    if (!rate || !closest) return false;
    void reply.header('x-ratelimit-limit', String(rate.quota));
    void reply.header('x-ratelimit-remaining', String(rate.remaining));
    void reply.header('x-ratelimit-reset', String(rate.resetSeconds ?? 0));
    void reply.header('ratelimit-policy', rateLimitPolicyField(states));
    void reply.header('ratelimit', rateLimitField(closest));
    if (!closest.exceeded) return false;

    rateLimitRejections.inc({ policy: closest.name });
    const retryAfter = Math.max(1, closest.resetSeconds ?? 1);
    const error = new DomainError(
      'RATE_LIMIT_EXCEEDED',
      'Too many requests. Retry after the time in Retry-After.',
      { policy: closest.name, limit: closest.quota, retryAfterSeconds: retryAfter },
    );
    sendError(reply, error, String(request.id));
    return true;
  }

  app
    .getHttpAdapter()
    .getInstance()
    // Callback style, not async: a plain route's one count makes no promise of the hook's own
    // (docs/perf/). A Redis error or timeout lets the request through (fail open).
    .addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
      const route = routeLimits(request);
      if (route.exempt) {
        done();
        return;
      }
      const ratePolicy = route.rateLimitPolicy ?? 'default';
      const caller = callerOf(request, route);
      const limits = limitsFor(table, caller);
      const concurrency = route.concurrencyPolicy;
      const counting = concurrency
        ? withSlot(request, reply, concurrency, ratePolicy, caller, limits)
        : count(caller, windowsOf(request, ratePolicy, limits));
      counting.then(
        (states) => {
          let refused: boolean;
          try {
            refused = answer(request, reply, states);
          } catch (error) {
            done(error as Error);
            return;
          }
          if (!refused) done();
        },
        (error: unknown) => {
          failedOpen(error);
          done();
        },
      );
    });
}
