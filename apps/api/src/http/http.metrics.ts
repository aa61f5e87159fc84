import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import {
  CLIENT_CLOSED_REQUEST,
  FAST_BUCKETS,
  metricsRegistry,
  onAbandoned,
  requestElapsedMs,
} from '@jewelshot/platform';

const requestDuration = new Histogram({
  name: 'jewelshot_http_request_duration_seconds',
  help: 'HTTP requests, by route template, method and status code',
  labelNames: ['route', 'method', 'status_code'] as const,
  buckets: FAST_BUCKETS,
  registers: [metricsRegistry],
});

/**
 * Requests refused with 429, by the policy that refused them: the RatePolicyName set, the
 * concurrency ones, and `login-lock` (an email locked after failed logins, or too many of its
 * logins at once).
 */
export const rateLimitRejections = new Counter({
  name: 'jewelshot_rate_limit_rejections_total',
  help: 'Requests refused with 429, by rate-limit policy',
  labelNames: ['policy'] as const,
  registers: [metricsRegistry],
});

/**
 * One histogram observation per response, in Fastify's onResponse hook: the route template
 * (`/v1/ai/jobs/:id`, never the URL; `/*` is the catch-all, the SPA's pages and every path no
 * route has; `static` for a file of the SPA's build; `unmatched` for what reached no route at
 * all), so the label set
 * stays bounded whatever clients send. The cost is one label lookup and one bucket increment.
 */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    observeRequest(request, reply.statusCode, reply.elapsedTime);
    done();
  });
  // A request its client abandoned (no onResponse comes; `abandonable` routes): 499, as in the
  // access line.
  onAbandoned(fastify, (request, done) => {
    observeRequest(request, CLIENT_CLOSED_REQUEST, requestElapsedMs(request) ?? 0);
    done();
  });
}

/** One observation of a request's answer; also for answers Fastify gives before any hook. */
export function observeRequest(
  request: FastifyRequest,
  statusCode: number,
  elapsedMs: number,
): void {
  // Each file of the SPA's build is a route of its own (@fastify/static marks it with its file):
  // one label for all of them, whatever their hashed names.
  const file = (request.routeOptions.config as { file?: unknown } | undefined)?.file;
  requestDuration.observe(
    {
      route: typeof file === 'string' ? 'static' : (request.routeOptions.url ?? 'unmatched'),
      method: request.method,
      status_code: String(statusCode),
    },
    elapsedMs / 1000,
  );
}
