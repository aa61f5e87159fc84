import type { FastifyRequest } from 'fastify';
import { API_KEY_PREFIX, parseApiKey } from '@jewelshot/identity';
import type { RateLimitCallerResolver } from '../http/rate-limit-policies';

/**
 * The API key of a request: the bearer credential when it starts with `js_live_` (a JWT never
 * does). Read from the Authorization header only: a key never rides in a cookie.
 */
export function presentedApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1];
  return token?.startsWith(API_KEY_PREFIX) ? token : undefined;
}

/**
 * Counts a key's requests in a bucket of its own (`key:<public id>`), parsed from the header
 * alone: the rate limiter runs before the guard and must not touch the database. A malformed
 * key is counted by address as usual. (A well-formed made-up key gets a bucket too, and the
 * guard answers it 401; guessing a 256-bit secret that way is hopeless.)
 */
export const apiKeyCaller: RateLimitCallerResolver = (request) => {
  const token = presentedApiKey(request);
  const parts = token === undefined ? null : parseApiKey(token);
  return parts ? { key: `key:${parts.publicId}` } : undefined;
};
