import type { FastifyRequest } from 'fastify';
import { Injectable } from '@nestjs/common';
import { API_KEY_PREFIX } from '@jewelshot/identity';
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
 * How many accepted keys a process remembers, and for how long after their last acceptance: a
 * key revoked on another process (or its owner banned there) may be counted as its owner here
 * that long, by requests refused before the auth guard (which forgets a key it refuses).
 */
export const ACCEPTED_KEYS_KEPT = 10_000;
export const ACCEPTED_KEY_TTL_MS = 60_000;

/**
 * The API keys the auth guard accepted lately in this process, by their exact text, with their
 * owner. The rate limiter runs before the guard and reads no database, so it cannot tell a real
 * key from a well-formed made-up one, nor whose a key is; counting every `js_live_…` header in a
 * bucket of its own let a client with random keys escape its address's limits, and counting an
 * accepted key in a bucket of its own gave an account with 50 keys 51 times every limit. A key
 * counts in its owner's bucket once this process has accepted it (until then, by address like
 * any caller not yet known); only accepted keys are remembered, the least recently accepted go
 * first.
 */
@Injectable()
export class AcceptedApiKeys {
  private readonly accepted = new Map<string, { ownerId: string; at: number }>();

  remember(key: string, ownerId: string): void {
    // Re-inserted, so that the Map's first entry is the least recently accepted.
    this.accepted.delete(key);
    if (this.accepted.size >= ACCEPTED_KEYS_KEPT) {
      const oldest = this.accepted.keys().next();
      if (!oldest.done) this.accepted.delete(oldest.value);
    }
    this.accepted.set(key, { ownerId, at: Date.now() });
  }

  /** Forgets a key the auth guard refused (revoked, expired, its owner banned). */
  forget(key: string): void {
    this.accepted.delete(key);
  }

  /** Forgets the key of this public id (`js_live_<public id>_<secret>`): it was just revoked. */
  forgetPublicId(publicId: string): void {
    const prefix = `${API_KEY_PREFIX}${publicId}_`;
    for (const key of this.accepted.keys()) if (key.startsWith(prefix)) this.accepted.delete(key);
  }

  /** The id of the key's owner when it was accepted here lately; undefined otherwise. */
  ownerOf(key: string): string | undefined {
    const entry = this.accepted.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.at < ACCEPTED_KEY_TTL_MS) return entry.ownerId;
    this.accepted.delete(key);
    return undefined;
  }
}

/**
 * Counts a key's requests in its owner's bucket (`user:<id>`, where the owner's sessions and
 * other keys count too) once the auth guard has accepted it in this process; any other key
 * header is counted like a request without one.
 */
export function apiKeyCaller(accepted: AcceptedApiKeys): RateLimitCallerResolver {
  return (request) => {
    const token = presentedApiKey(request);
    const ownerId = token === undefined ? undefined : accepted.ownerOf(token);
    return ownerId === undefined ? undefined : { key: `user:${ownerId}` };
  };
}
