import { Inject, Injectable } from '@nestjs/common';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { isUuid, RowScope } from '@jewelshot/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import type { UserRole, UserStatus } from '../entities/user.entity';
import type { Principal } from './principal';
import { ApiKeyPrincipals } from '../api-keys/api-key-principals.service';
import { ApiKeyNotAllowedError } from '../identity.errors';

export type { Principal, PrincipalVia } from './principal';

interface CacheEntry {
  principal: Principal | null;
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;

/**
 * Resolves an access token's subject and session to the user's current role and status.
 * A short in-process cache keeps the hot path off the database; it is far shorter than the
 * 5 s within which a ban must bite.
 */
@Injectable()
export class PrincipalService {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly apiKeys: ApiKeyPrincipals,
  ) {}

  /**
   * The cached answer of `resolve` while it is fresh, without a promise (the auth guard's fast
   * path); undefined when resolve must read the database.
   */
  cached(userId: string, sessionId: string): Principal | null | undefined {
    const hit = this.cache.get(`${userId}:${sessionId}`);
    return hit && hit.expiresAt > Date.now() ? hit.principal : undefined;
  }

  async resolve(userId: string, sessionId: string): Promise<Principal | null> {
    const hit = this.cached(userId, sessionId);
    if (hit !== undefined) return hit;
    const now = Date.now();
    const principal = await this.load(userId, sessionId);
    if (this.config.USER_STATUS_CACHE_MS > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(`${userId}:${sessionId}`, {
        principal,
        expiresAt: now + this.config.USER_STATUS_CACHE_MS,
      });
    }
    return principal;
  }

  /**
   * The principal as it stands now, read from the database, never the cache; null when it may
   * no longer act (a session: logged out, banned, password changed; a key: revoked, expired, its
   * owner banned). A long-lived stream asks it again and again: it must end within
   * USER_STATUS_CACHE_MS of any of those, and a role taken away (an admin demoted) must narrow
   * what it shows as soon.
   */
  async current(principal: Principal): Promise<Principal | null> {
    if (principal.via.kind === 'api-key')
      return (await this.apiKeys.stillValid(principal.via.publicId)) ? principal : null;
    const now = await this.load(principal.userId, sessionIdOf(principal));
    return now !== null && now.status !== 'banned' && now.sessionOpen ? now : null;
  }

  private async load(userId: string, sessionId: string): Promise<Principal | null> {
    if (!isUuid(userId) || !isUuid(sessionId)) return null;
    // Sessions are row-scoped: read in the claimed user's scope, in a transaction of its own
    // (this runs in the auth guard, before and apart from any work of the request).
    const rows = await this.scope.run(
      userId,
      async () =>
        (await this.txHost.tx.query(
          `SELECT u.email, u.role, u.status, s.revoked_at
             FROM users u JOIN sessions s ON s.user_id = u.id
            WHERE u.id = $1 AND s.id = $2`,
          [userId, sessionId],
        )) as Array<{ email: string; role: UserRole; status: UserStatus; revoked_at: Date | null }>,
      { propagation: Propagation.RequiresNew },
    );
    const row = rows[0];
    return row
      ? {
          userId,
          sessionId,
          email: row.email,
          role: row.role,
          status: row.status,
          sessionOpen: row.revoked_at === null,
          via: { kind: 'session' },
        }
      : null;
  }

  /** Drops what this process remembers of a user, so its own changes show at once. */
  forget(userId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${userId}:`)) this.cache.delete(key);
  }
}

/**
 * The session of a principal signed in with an access token. Routes that act on the session
 * (logout, password change) are out of every key's reach; reaching here with a key is refused.
 */
export function sessionIdOf(principal: Principal): string {
  if (principal.sessionId === null) throw new ApiKeyNotAllowedError();
  return principal.sessionId;
}
