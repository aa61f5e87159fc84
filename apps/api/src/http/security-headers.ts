import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { ApiConfig } from '../api.config';

/**
 * Where the seller app may load result images from besides its own origin: the API's public
 * address (signed file URLs) and, with S3 storage, the bucket's presigned URLs (its endpoint and
 * the bucket's virtual host under it, or AWS's).
 */
export function fileOrigins(config: ApiConfig): string[] {
  const origins = [new URL(config.PUBLIC_BASE_URL).origin];
  if (config.STORAGE_DRIVER === 's3') {
    if (config.S3_ENDPOINT) {
      const endpoint = new URL(config.S3_ENDPOINT);
      origins.push(endpoint.origin, `${endpoint.protocol}//*.${endpoint.host}`);
    } else origins.push('https://*.amazonaws.com');
  }
  return [...new Set(origins)];
}

/**
 * Security headers on every response (@fastify/helmet), the SPA's pages, the Swagger UI and the
 * API alike:
 * - a Content-Security-Policy: scripts from our origin only (the SPA and Swagger UI load theirs
 *   as files; no inline script), styles inline too (the component library sets style
 *   attributes), images and fetches from ours and the file origins above, no plugins, and no
 *   page may frame ours (`frame-ancestors 'none'`, with `X-Frame-Options: DENY` for old
 *   browsers): the admin console cannot be clickjacked from a sibling site;
 * - `Referrer-Policy: no-referrer`: a reset or verify link's token never leaves in a Referer;
 * - `X-Content-Type-Options: nosniff`;
 * - HSTS (a year, subdomains) and upgrade of insecure requests in production only: in
 *   development the API is plain http on localhost.
 * Cross-Origin-Resource-Policy is left off: signed file URLs are meant to be embedded by
 * integrators' pages on other origins.
 */
export function securityHeaderOptions(config: ApiConfig): HelmetOptions {
  const production = config.NODE_ENV === 'production';
  const files = fileOrigins(config);
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...files],
        connectSrc: ["'self'", ...files],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
  };
}

/**
 * What the API answers under /v1 is per caller (balances, keys, a webhook's secret shown once):
 * no cache, shared or the browser's, may keep it, unless the route said otherwise (a signed file
 * download is `private, max-age=300`).
 */
const NOT_STORED = 'no-store';

/**
 * The headers helmet sets with these options, as helmet itself computes them (it is run once,
 * on a stand-in response): the same on every response, there is nothing to compute per request.
 * (@fastify/helmet built helmet's middleware again for every request, its policy parsed anew.)
 */
export function securityHeaders(config: ApiConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(securityHeaderOptions(config))(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
    },
  );
  return headers;
}

export function useSecurityHeaders(app: NestFastifyApplication, config: ApiConfig): void {
  const headers = securityHeaders(config);
  app
    .getHttpAdapter()
    .getInstance()
    // Callback style, not async: no promise per request (docs/perf/).
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    })
    .addHook('onSend', (request, reply, payload, done) => {
      // The route as matched as well as the URL as sent: `/v%31/me` is routed to /v1/me too.
      const v1 =
        (request.routeOptions.url?.startsWith('/v1/') ?? false) || request.url.startsWith('/v1/');
      if (v1 && !reply.hasHeader('cache-control')) void reply.header('cache-control', NOT_STORED);
      done(null, payload);
    });
}
