import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { IsNull } from 'typeorm';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditService, type AuditActor } from '@jewelshot/audit';
import { EmailService } from '@jewelshot/email';
import { isUuid, RowScope, ValidationError } from '@jewelshot/platform';
import { ApiKeyNotFoundError, TooManyApiKeysError } from '../identity.errors';
import { UsersService } from '../services/users.service';
import { ApiKey } from './api-key.entity';
import { apiKeyDisplayPrefix, hashApiKeySecret, newApiKey } from './api-key-token';
import { ApiKeyPrincipals } from './api-key-principals.service';

/** Live (unrevoked) keys one user may hold: a list, not a haystack. */
export const MAX_ACTIVE_API_KEYS = 50;

export interface NewApiKey {
  name: string;
  scopes: readonly string[];
  expiresAt?: Date | null;
}

/** A key as its owner may see it: never the secret, nor its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

function viewOf(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: apiKeyDisplayPrefix(key.publicId),
    scopes: key.scopes,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
  };
}

/**
 * A user's API keys: create (the key is returned this once), list, revoke. Creation and
 * revocation are audit events in the same transaction as the change, and creation mails the
 * user a security notice in that transaction too (identity sends its security mail itself).
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    private readonly audit: AuditService,
    private readonly email: EmailService,
    private readonly users: UsersService,
    private readonly principals: ApiKeyPrincipals,
  ) {}

  private get keys() {
    return this.txHost.tx.getRepository(ApiKey);
  }

  async create(
    userId: string,
    input: NewApiKey,
    actor: AuditActor,
  ): Promise<ApiKeyView & { key: string }> {
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw new ValidationError([
        { field: 'expiresAt', message: 'expiresAt must be in the future', constraint: 'minDate' },
      ]);
    const scopes = [...new Set(input.scopes)].sort();
    const user = await this.users.getById(userId);
    const made = newApiKey();
    const created = await this.scope.run(userId, async () => {
      // Serialises concurrent creations of one user, so the cap cannot be raced past.
      await this.txHost.tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
      const live = await this.keys.countBy({ userId, revokedAt: IsNull() });
      if (live >= MAX_ACTIVE_API_KEYS) throw new TooManyApiKeysError(MAX_ACTIVE_API_KEYS);
      const key = this.keys.create({
        userId,
        name: input.name,
        publicId: made.publicId,
        secretHash: hashApiKeySecret(made.secret),
        scopes,
        expiresAt,
        lastUsedAt: null,
        revokedAt: null,
      });
      await this.keys.insert(key);
      const saved = await this.keys.findOneByOrFail({ id: key.id });
      const prefix = apiKeyDisplayPrefix(made.publicId);
      await this.audit.record(actor, {
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: saved.id,
        details: { name: saved.name, prefix, scopes, expiresAt },
      });
      await this.email.enqueue({
        template: 'api-key-created',
        to: user.email,
        userId,
        language: user.language,
        data: { name: saved.name, prefix, scopes },
      });
      return saved;
    });
    return { ...viewOf(created), key: made.key };
  }

  /** The user's live keys, newest first (at most MAX_ACTIVE_API_KEYS). */
  list(userId: string): Promise<ApiKeyView[]> {
    return this.scope.run(userId, async () => {
      const keys = await this.keys.find({
        where: { userId, revokedAt: IsNull() },
        order: { createdAt: 'DESC', id: 'DESC' },
        take: MAX_ACTIVE_API_KEYS,
      });
      return keys.map(viewOf);
    });
  }

  /**
   * Revokes at once here, and on every other API process within USER_STATUS_CACHE_MS. Returns
   * the key's public id (what this process's other memories of the key are keyed by).
   */
  async revoke(userId: string, id: string, actor: AuditActor): Promise<string> {
    if (!isUuid(id)) throw new ApiKeyNotFoundError();
    const publicId = await this.scope.run(userId, async () => {
      const rows = (await this.txHost.tx.query(
        `UPDATE api_keys SET revoked_at = now()
          WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING public_id, name`,
        [id, userId],
      )) as [Array<{ public_id: string; name: string }>, number];
      const row = rows[0][0];
      if (!row) throw new ApiKeyNotFoundError();
      await this.audit.record(actor, {
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: id,
        details: { name: row.name, prefix: apiKeyDisplayPrefix(row.public_id) },
      });
      return row.public_id;
    });
    this.principals.forget(publicId);
    return publicId;
  }
}
