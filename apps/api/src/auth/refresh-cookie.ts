import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError } from '@jewelshot/platform';
import type { ApiConfig } from '../api.config';

/**
 * The browser's refresh token lives in an httpOnly cookie, out of JavaScript's reach (an XSS
 * cannot steal it); the access token stays in the SPA's memory. The cookie is sent only to the
 * auth routes, and only same-site (SameSite=Strict).
 *
 * CSRF: a cookie-authenticated refresh must carry the header `X-CSRF-Protection: 1`. A page on
 * another site cannot add a custom header without a CORS preflight, and the preflight passes
 * only for CORS_ORIGINS; the Origin header, when the browser sends one, must be ours or listed.
 */
export const REFRESH_COOKIE = 'js_refresh';
export const CSRF_HEADER = 'x-csrf-protection';
const COOKIE_PATH = '/v1/auth';

export type RefreshTokenDelivery = 'body' | 'cookie';
export const REFRESH_TOKEN_DELIVERIES: RefreshTokenDelivery[] = ['body', 'cookie'];

/** The cookie's attributes; clearing it must name the same ones, or the browser keeps it. */
function cookieAttributes(config: ApiConfig) {
  return {
    httpOnly: true,
    secure: config.NODE_ENV !== 'development',
    sameSite: 'strict' as const,
    path: COOKIE_PATH,
  };
}

export function setRefreshCookie(reply: FastifyReply, config: ApiConfig, token: string): void {
  void reply.setCookie(REFRESH_COOKIE, token, {
    ...cookieAttributes(config),
    maxAge: config.JWT_REFRESH_TTL_SECONDS,
  });
}

export function clearRefreshCookie(reply: FastifyReply, config: ApiConfig): void {
  void reply.clearCookie(REFRESH_COOKIE, cookieAttributes(config));
}

export function refreshCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[REFRESH_COOKIE];
  return value && value.length <= 512 ? value : undefined;
}

/** The listed CORS_ORIGINS (an SPA hosted elsewhere); empty when the SPA is same-origin only. */
export function corsOrigins(config: ApiConfig): string[] {
  return config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Refuses a cookie-authenticated request that a foreign page could have made. */
export function assertNotCrossSite(request: FastifyRequest, config: ApiConfig): void {
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || !sameText(header, '1')) {
    throw new ForbiddenError(
      `A cookie-authenticated request must send the header X-CSRF-Protection: 1`,
    );
  }
  assertOwnOrigin(request, config);
}

/**
 * Refuses a browser request from a page that is not ours (the API's own origin, PUBLIC_BASE_URL
 * or a listed CORS origin) before the session cookie is read or set. A request with no Origin
 * (a server, a same-origin GET) passes: what sends none is not a foreign page.
 */
export function assertOwnOrigin(request: FastifyRequest, config: ApiConfig): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const own = `${request.protocol}://${request.host}`;
  const allowed = [own, new URL(config.PUBLIC_BASE_URL).origin, ...corsOrigins(config)];
  if (!allowed.includes(origin))
    throw new ForbiddenError('This origin may not use the session cookie');
}
