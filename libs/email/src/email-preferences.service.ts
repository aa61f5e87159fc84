import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { RowScope } from '@jewelshot/platform';
import { EMAIL_CONFIG, type EmailConfig } from './email.config';
import { InvalidTokenError } from './email.errors';
import { EmailOptOut } from './entities/email-opt-out.entity';
import { PREFERENCE_TYPES, type PreferenceType } from './templates/template-names';
import { readUnsubscribe } from './unsubscribe-token';

export type EmailPreferences = Record<PreferenceType, boolean>;

/** Which non-security types a user receives (all, unless turned off), and one-click unsubscribe. */
@Injectable()
export class EmailPreferencesService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(EmailOptOut);
  }

  get(userId: string): Promise<EmailPreferences> {
    return this.scope.run(userId, async () => {
      const off = new Set((await this.repo.findBy({ userId })).map((row) => row.type));
      return Object.fromEntries(
        PREFERENCE_TYPES.map((type) => [type, !off.has(type)]),
      ) as EmailPreferences;
    });
  }

  /** Sets the switches given; the others stay as they are. */
  update(userId: string, changes: Partial<EmailPreferences>): Promise<EmailPreferences> {
    return this.scope.run(userId, async () => {
      for (const type of PREFERENCE_TYPES) {
        const on = changes[type];
        if (on === undefined) continue;
        if (on) await this.repo.delete({ userId, type });
        else
          await this.repo
            .createQueryBuilder()
            .insert()
            .values({ userId, type })
            .orIgnore()
            .execute();
      }
      return this.get(userId);
    });
  }

  /** Follows a one-click unsubscribe link: turns its type off for its user. No login needed. */
  async unsubscribe(token: string): Promise<{ type: PreferenceType }> {
    const target = readUnsubscribe(this.config.EMAIL_TOKEN_SECRET, token);
    if (!target) throw new InvalidTokenError();
    await this.update(target.userId, { [target.type]: false });
    return { type: target.type };
  }
}
