import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { InvalidTokenError } from '@jewelshot/email';
import { UserToken, type UserTokenPurpose } from '../entities/user-token.entity';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Issues and spends the single-use tokens of mailed links; only their hashes are stored. */
@Injectable()
export class UserTokens {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(UserToken);
  }

  /** A new token (256 random bits, base64url) for the user; returns the token itself, once. */
  async issue(userId: string, purpose: UserTokenPurpose, ttlMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.repo.insert({
      userId,
      purpose,
      tokenHash: hash(token),
      expiresAt: new Date(Date.now() + ttlMs),
    });
    return token;
  }

  /**
   * Spends a token in the caller's transaction and returns its user: wrong, used, expired or of
   * another purpose are one error. The UPDATE ... WHERE used_at IS NULL makes two concurrent
   * uses spend it once.
   */
  async spend(token: string, purpose: UserTokenPurpose): Promise<string> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 200)
      throw new InvalidTokenError();
    const rows = (await this.txHost.tx.query(
      `UPDATE user_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id`,
      [hash(token), purpose],
    )) as [Array<{ user_id: string }>, number];
    const userId = rows[0]?.[0]?.user_id;
    if (!userId) throw new InvalidTokenError();
    return userId;
  }

  /** Ends the user's other unused tokens of this purpose (a used reset link kills its siblings). */
  async revokeAll(userId: string, purpose: UserTokenPurpose): Promise<void> {
    await this.txHost.tx.query(
      `UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [userId, purpose],
    );
  }
}
