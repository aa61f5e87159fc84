import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiConfig } from '../api.config';

/** Routes that take only credentials: a few KB is plenty, and a megabyte there is an attack on argon2 or the parser. */
const CREDENTIAL_ROUTES = /^\/v1\/(auth\/|me\/password$)/;

/**
 * Per-route body limits, set as each route is registered (Fastify's `onRoute`), so the route's
 * own limit wins over the server-wide BODY_LIMIT_BYTES and a too-large body is a 413 before it is read in full.
 * Must be installed before Nest registers its routes (in createApiApp, before init).
 */
export function useRouteBodyLimits(app: NestFastifyApplication, config: ApiConfig): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (CREDENTIAL_ROUTES.test(route.url))
        route.bodyLimit = Math.min(
          route.bodyLimit ?? config.AUTH_BODY_LIMIT_BYTES,
          config.AUTH_BODY_LIMIT_BYTES,
        );
    });
}
