import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { repoRoot } from '@jewelshot/platform';
import type { ApiConfig } from '../api.config';

/** Paths that belong to the API, never to the SPA: an unknown one there stays the JSON 404. */
const API_PATHS = /^\/(v\d+|health|docs|openapi)(\/|\.|$)/;

/** Hashed build output (`assets/name-HASH.js`): the name changes with the content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The folder of the built SPA, or null when there is none (the API then serves no `/`). */
export function webRootOf(config: ApiConfig): string | null {
  const root = config.WEB_DIST_DIR || join(repoRoot(), 'apps', 'web', 'dist');
  return existsSync(join(root, 'index.html')) ? root : null;
}

/**
 * Serves the SPA at `/` from the same origin as the API: each built file is a route of its own
 * (registered at start, no wildcard, so nothing under /v1 can be shadowed), hashed assets cached
 * for a year, `index.html` never cached. Client routes (`/jobs/…`) fall back to `index.html` in
 * the not-found route, for GET requests that accept HTML outside the API's paths.
 */
export async function serveWebApp(app: NestFastifyApplication, config: ApiConfig): Promise<void> {
  const root = webRootOf(config);
  if (!root) return;
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      void reply.header('cache-control', path.includes('/assets/') ? IMMUTABLE : 'no-cache');
    },
  });
}

/** A browser asking for a page of the SPA (a deep link or a reload), not for the API. */
export function isClientRoute(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?', 1)[0] ?? '';
  if (API_PATHS.test(path)) return false;
  return (request.headers.accept ?? '').includes('text/html');
}
