import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import type { AccessClaims } from './sessions.service';

/** Seconds of clock difference between API instances we tolerate on `exp`. */
const CLOCK_SKEW_SECONDS = 30;

/** How many verified tokens a process remembers (a few MB at most); the oldest go first. */
export const VERIFIED_TOKENS_KEPT = 10_000;

export interface VerifiedAccessClaims extends AccessClaims {
  exp: number;
}

/** What AccessTokensService.inspect found: the claims, or why not. */
export type AccessTokenCheck =
  { ok: true; claims: VerifiedAccessClaims } | { ok: false; signed: boolean };

/**
 * The rules an access token's claims must meet beyond its signature: a subject, a session and
 * an `exp` no further away than JWT_ACCESS_TTL_SECONDS. A correctly signed token without `exp`
 * (or with one years away) would otherwise be a key that never expires.
 */
export function acceptableClaims(
  claims: unknown,
  ttlSeconds: number,
  nowMs = Date.now(),
): claims is VerifiedAccessClaims {
  if (typeof claims !== 'object' || claims === null) return false;
  const { sub, sid, exp, iat } = claims as Record<string, unknown>;
  if (typeof sub !== 'string' || typeof sid !== 'string') return false;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return false;
  const now = nowMs / 1000;
  if (exp <= now || exp > now + ttlSeconds + CLOCK_SKEW_SECONDS) return false;
  if (iat !== undefined && (typeof iat !== 'number' || exp - iat > ttlSeconds)) return false;
  return true;
}

/**
 * Verifies a bearer access token without the database: signature (HS256 only), expiry and
 * lifetime. The API's rate-limit hook uses it to know the caller before any guard runs, and
 * its auth guard takes the hook's answer (or asks itself when the hook did not).
 *
 * A client sends the same token on every request of its life (15 minutes by default), and
 * its signature over the same bytes with the same key is the same answer each time: the
 * claims of the last VERIFIED_TOKENS_KEPT valid tokens are remembered by their exact text, and
 * a token seen before skips the HMAC and the JSON parsing (jsonwebtoken's verify was about a
 * sixth of a `GET /v1/me`'s CPU, docs/perf/). Its expiry and lifetime are checked again on
 * every request, so a remembered token stops working at its `exp` as any other; only valid
 * tokens are remembered, so garbage cannot fill the memory. Revocation is not this layer's: a
 * session's end is checked where the caller is resolved (PrincipalService), as before.
 */
@Injectable()
export class AccessTokensService {
  // A prepared KeyObject: given a string, jsonwebtoken re-derives a key on every call.
  private readonly key: KeyObject;
  /** Verified token text → its claims (frozen: shared by every request that sends it). */
  private readonly verified = new Map<string, Readonly<VerifiedAccessClaims>>();

  constructor(
    private readonly jwt: JwtService,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {
    this.key = createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
  }

  /** The claims of a valid token, or null for anything else (never throws). */
  verify(token: string): VerifiedAccessClaims | null {
    const check = this.inspect(token);
    return check.ok ? check.claims : null;
  }

  /**
   * verify() telling a token that fails its signature or expiry (`signed: false`) from a
   * correctly signed one whose claims break our rules (`signed: true`): the auth guard answers
   * the two with different 401 messages. Never throws.
   */
  inspect(token: string): AccessTokenCheck {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (acceptableClaims(known, this.config.JWT_ACCESS_TTL_SECONDS))
        return { ok: true, claims: known };
      // Expired since: forgotten, and answered below as a token never seen.
      this.verified.delete(token);
    }
    let claims: unknown;
    try {
      // The typings only know string | Buffer; jsonwebtoken takes a KeyObject as it is.
      claims = this.jwt.verify(token, {
        secret: this.key as unknown as Buffer,
        algorithms: ['HS256'],
      });
    } catch {
      return { ok: false, signed: false };
    }
    if (!acceptableClaims(claims, this.config.JWT_ACCESS_TTL_SECONDS))
      return { ok: false, signed: true };
    this.remember(token, claims);
    return { ok: true, claims };
  }

  private remember(token: string, claims: VerifiedAccessClaims): void {
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) {
      // A Map iterates in insertion order: the first key is the oldest.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, Object.freeze(claims));
  }
}
