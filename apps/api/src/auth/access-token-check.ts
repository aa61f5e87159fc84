import type { FastifyRequest } from 'fastify';
import type { AccessTokenCheck, AccessTokensService } from '@jewelshot/identity';

/** `<scheme> <credentials>` as passport-jwt's bearer extractor read it (the first pair). */
const AUTH_HEADER = /(\S+)\s+(\S+)/;

/** The bearer credential of the Authorization header, if there is one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = AUTH_HEADER.exec(header);
  return match?.[1]?.toLowerCase() === 'bearer' ? match[2] : undefined;
}

interface Checked {
  token: string;
  check: AccessTokenCheck;
}

const checked = new WeakMap<FastifyRequest, Checked>();

/**
 * The request's bearer access token, verified once per request: the rate-limit hook asks first
 * (to know the caller), the auth guard takes the same answer instead of verifying again. The
 * answer is kept for the token it was given for only. Null when there is no bearer token.
 */
export function checkAccessToken(
  request: FastifyRequest,
  tokens: AccessTokensService,
): { token: string; check: AccessTokenCheck } | null {
  const token = bearerToken(request);
  if (token === undefined) return null;
  const known = checked.get(request);
  if (known?.token === token) return known;
  const fresh = { token, check: tokens.inspect(token) };
  checked.set(request, fresh);
  return fresh;
}
