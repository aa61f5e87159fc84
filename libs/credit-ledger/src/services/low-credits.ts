import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EmailService } from '@jewelshot/email';
import { UsersService } from '@jewelshot/identity';
import { Events } from '@jewelshot/platform';
import { CREDIT_LEDGER_CONFIG, type CreditLedgerConfig } from '../credit-ledger.config';
import { CreditsLow } from '../events/credits-low';

/**
 * The low-credit mail, once per crossing: `credit_accounts.low_credits_notified` remembers that
 * the available balance is below LOW_CREDITS_THRESHOLD and the user was told. Called by the
 * ledger after each change of an account it holds locked, in that transaction; only a change of
 * the flag writes, and only a change to true mails (when the balance rises to the threshold or
 * above, the flag drops and the next fall mails again). Each crossing also publishes
 * `CreditsLow` in that transaction (webhooks announce it).
 */
@Injectable()
export class LowCredits {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly email: EmailService,
    private readonly users: UsersService,
    @Inject(CREDIT_LEDGER_CONFIG) private readonly config: CreditLedgerConfig,
    private readonly events: Events,
  ) {}

  /**
   * `after`, when the caller holds the account locked and knows it: the flag as it was read and
   * the available balance after the change. When the flag would not change, nothing is written
   * (one statement fewer on every reserve and release that crosses nothing).
   */
  async watch(userId: string, after?: { notified: boolean; available: number }): Promise<void> {
    const threshold = this.config.LOW_CREDITS_THRESHOLD;
    if (after && after.notified === after.available < threshold) return;
    const [rows] = (await this.txHost.tx.query(
      `UPDATE credit_accounts SET low_credits_notified = (balance - reserved < $2)
        WHERE user_id = $1 AND low_credits_notified <> (balance - reserved < $2)
        RETURNING low_credits_notified, balance - reserved AS available`,
      [userId, threshold],
    )) as [Array<{ low_credits_notified: boolean; available: string }>, number];
    const row = rows[0];
    if (!row?.low_credits_notified) return;
    await this.events.publish(
      new CreditsLow({ userId, available: Number(row.available), threshold }),
    );
    const user = await this.users.findById(userId);
    if (!user) return;
    await this.email.enqueue({
      template: 'low-credits',
      to: user.email,
      userId,
      language: user.language,
      data: { available: Number(row.available), threshold },
    });
  }
}
