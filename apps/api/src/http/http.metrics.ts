import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { FAST_BUCKETS, metricsRegistry } from '@jewelshot/platform';

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
 * route has; `unmatched` for what reached no route at all), so the label set
 * stays bounded whatever clients send. The cost is one label lookup and one bucket increment.
 */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    requestDuration.observe(
      {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
