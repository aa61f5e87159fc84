import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EmailService } from '@jewelshot/email';
import { Events, RowScope } from '@jewelshot/platform';
import { isCommonPassword } from '../common-passwords';
import { User } from '../entities/user.entity';
import { EmailVerified } from '../events/email-verified';
import { CommonPasswordError } from '../identity.errors';
import { PasswordHasher } from './password-hasher';
import { PrincipalService } from './principal.service';
import { SessionsService } from './sessions.service';
import { UsersService } from './users.service';
import { UserTokens } from './user-tokens.service';

export const PASSWORD_RESET_TTL_MS = 30 * 60_000;
export const VERIFY_EMAIL_TTL_MS = 7 * 86_400_000;

/**
 * Identity's security mail and the flows behind its links: address verification, password
 * reset, and the notice that a password changed (DESIGN.md: identity sends its security mail
 * itself). Every mail is enqueued in the transaction of the change it belongs to.
 */
@Injectable()
export class AccountMail {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly users: UsersService,
    private readonly tokens: UserTokens,
    private readonly email: EmailService,
    private readonly events: Events,
    private readonly scope: RowScope,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly principals: PrincipalService,
  ) {}

  /** Mails a verify link (in the caller's transaction, e.g. registration's). */
  sendVerification(user: Pick<User, 'id' | 'email' | 'language'>): Promise<unknown> {
    return this.txHost.withTransaction(async () => {
      const token = await this.tokens.issue(user.id, 'verify_email', VERIFY_EMAIL_TTL_MS);
      return this.email.enqueue({
        template: 'verify-email',
        to: user.email,
        userId: user.id,
        language: user.language,
        data: { token },
      });
    });
  }

  /** Another verify link, unless the address is verified already (then nothing is sent). */
  async resendVerification(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    if (user.emailVerifiedAt) return;
    await this.sendVerification(user);
  }

  /**
   * Follows a verify link: marks the address verified (once; EmailVerified is published only the
   * first time, so the sign-up credits that may wait for it are granted once) and sends the welcome.
   */
  verifyEmail(token: string): Promise<void> {
    return this.txHost.withTransaction(async () => {
      const userId = await this.tokens.spend(token, 'verify_email');
      await this.markVerified(userId);
    });
  }

  /** Marks verified in the caller's transaction; true if it was not verified before. */
  async markVerified(userId: string): Promise<boolean> {
    const first = await this.users.markEmailVerified(userId);
    if (!first) return false;
    const user = await this.users.getById(userId);
    await this.scope.run(userId, async () => {
      await this.events.publish(new EmailVerified({ userId }));
      await this.email.enqueue({
        template: 'welcome',
        to: user.email,
        userId,
        language: user.language,
        data: {},
      });
    });
    return true;
  }

  /**
   * Mails a reset link if the address has an account; says nothing either way (the API answers
   * 202 alike). The email lib caps reset mail per user and per address.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.status === 'banned') return;
    await this.txHost.withTransaction(async () => {
      const token = await this.tokens.issue(user.id, 'password_reset', PASSWORD_RESET_TTL_MS);
      await this.email.enqueue({
        template: 'password-reset',
        to: user.email,
        userId: user.id,
        language: user.language,
        data: { token },
      });
    });
  }

  /**
   * Spends a reset token: sets the password, ends every session and every other reset link of
   * the user, and mails the password-changed notice, in one transaction.
   */
  async confirmPasswordReset(token: string, password: string): Promise<void> {
    if (isCommonPassword(password)) throw new CommonPasswordError('password');
    const passwordHash = await this.hasher.hash(password);
    const userId = await this.txHost.withTransaction(async () => {
      const userId = await this.tokens.spend(token, 'password_reset');
      await this.users.setPasswordHash(userId, passwordHash);
      await this.scope.run(userId, () => this.sessions.revokeAll(userId, 'password_reset'));
      await this.passwordChanged(userId);
      return userId;
    });
    this.principals.forget(userId);
  }

  /**
   * After any password change (reset or change), in its transaction: every reset link still out
   * is void (one mailed before the change must not set the password after it), and the security
   * notice is mailed.
   */
  async passwordChanged(userId: string): Promise<void> {
    await this.tokens.revokeAll(userId, 'password_reset');
    const user = await this.users.getById(userId);
    await this.email.enqueue({
      template: 'password-changed',
      to: user.email,
      userId,
      language: user.language,
      data: {},
    });
  }
}
