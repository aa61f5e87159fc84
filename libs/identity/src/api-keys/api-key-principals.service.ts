import { Inject, Injectable, Logger } from '@nestjs/common';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { loggableError, RowScope } from '@jewelshot/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import type { UserRole, UserStatus } from '../entities/user.entity';
import type { Principal } from '../services/principal';
import { parseApiKey, secretMatches } from './api-key-token';

interface KeyRow {
  id: string;
  user_id: string;
  secret_hash: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  email: string;
  role: UserRole;
  status: UserStatus;
}

interface CacheEntry {
  row: KeyRow | null;
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;
/** last_used_at is a hint for the owner, not a log: written at most this often per key and process. */
const LAST_USED_EVERY_MS = 60_000;

/**
 * Resolves a presented API key to the principal it acts for. The row is cached by public id
 * for USER_STATUS_CACHE_MS (under the 5 s within which a revocation or a ban must bite on every
 * API process); the secret is compared with the stored hash on every request, in constant time,
 * so the cache never vouches for a tampered key.
 */
@Injectable()
export class ApiKeyPrincipals {
  private readonly logger = new Logger(ApiKeyPrincipals.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** The principal of a live key with this exact secret, or null (unknown, tampered, revoked, expired). */
  async resolve(token: string): Promise<Principal | null> {
    const parts = parseApiKey(token);
    if (!parts) return null;
    const row = await this.row(parts.publicId);
    if (!row || !secretMatches(parts.secret, row.secret_hash)) return null;
    if (!this.live(row)) return null;
    this.touch(row);
    return {
      userId: row.user_id,
      sessionId: null,
      email: row.email,
      role: row.role,
      status: row.status,
      sessionOpen: true,
      via: { kind: 'api-key', apiKeyId: row.id, publicId: parts.publicId, scopes: row.scopes },
    };
  }

  /**
   * True while the key may still act (live, user not banned). From the database, never the
   * cache: a long-lived event stream asks again and again.
   */
  async stillValid(publicId: string): Promise<boolean> {
    const row = await this.load(publicId);
    return row !== null && this.live(row) && row.status !== 'banned';
  }

  /** Drops what this process remembers of a key, so its own revocation shows at once. */
  forget(publicId: string): void {
    this.cache.delete(publicId);
  }

  private live(row: KeyRow): boolean {
    return row.revoked_at === null && (row.expires_at === null || row.expires_at > new Date());
  }

  private async row(publicId: string): Promise<KeyRow | null> {
    const now = Date.now();
    const hit = this.cache.get(publicId);
    if (hit && hit.expiresAt > now) return hit.row;
    const row = await this.load(publicId);
    if (this.config.USER_STATUS_CACHE_MS > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(publicId, { row, expiresAt: now + this.config.USER_STATUS_CACHE_MS });
    }
    return row;
  }

  /** The key's owner is not known yet: found by public id in the deliberate all-users scope. */
  private async load(publicId: string): Promise<KeyRow | null> {
    const rows = await this.scope.allUsers(
      async () =>
        (await this.txHost.tx.query(
          `SELECT k.id, k.user_id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at,
                  k.last_used_at, u.email, u.role, u.status
             FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.public_id = $1`,
          [publicId],
        )) as KeyRow[],
      { propagation: Propagation.RequiresNew },
    );
    return rows[0] ?? null;
  }

  /** Marks the key used, at most once a minute per process; never holds up the request. */
  private touch(row: KeyRow): void {
    const now = Date.now();
    const last = Math.max(this.lastUsedWritten.get(row.id) ?? 0, row.last_used_at?.getTime() ?? 0);
    if (now - last < LAST_USED_EVERY_MS) return;
    if (this.lastUsedWritten.size >= MAX_ENTRIES) this.lastUsedWritten.clear();
    this.lastUsedWritten.set(row.id, now);
    this.scope
      .allUsers(
        () =>
          this.txHost.tx.query(
            `UPDATE api_keys SET last_used_at = now()
              WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
            [row.id],
          ),
        { propagation: Propagation.RequiresNew },
      )
      .catch((error: unknown) =>
        this.logger.warn({ err: loggableError(error) }, 'could not mark an API key used'),
      );
  }
}
