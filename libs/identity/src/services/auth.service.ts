import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Events, RowScope } from '@jewelshot/platform';
import { UserLoggedIn } from '../events/user-logged-in';
import { UserRegistered } from '../events/user-registered';
import { NO_CLIENT_INFO, type ClientInfo } from '../client-info';
import { User, UserRole } from '../entities/user.entity';
import { isCommonPassword } from '../common-passwords';
import {
  AccountBannedError,
  CommonPasswordError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  WrongPasswordError,
} from '../identity.errors';
import { LoginLockout } from './login-lockout.service';
import { PasswordHasher } from './password-hasher';
import { PrincipalService } from './principal.service';
import { SessionsService, TokenPair } from './sessions.service';
import { UsersService } from './users.service';
import { AccountMail } from './account-mail.service';

export interface RegisterOptions {
  role?: UserRole;
  /** The language of the account's mail (`en` or `tr`). */
  language?: string;
  /** The address is known to be the user's (the demo seeds): verified at once, no verify mail. */
  verified?: boolean;
  /** Where the request came from (the API knows; seeds and the CLI do not). */
  client?: ClientInfo;
}

export interface AuthResult {
  user: User;
  tokens: TokenPair;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly principals: PrincipalService,
    private readonly scope: RowScope,
    private readonly lockout: LoginLockout,
    private readonly events: Events,
    private readonly mail: AccountMail,
  ) {}

  /**
   * Creates the user and its first session in one transaction (joined if the caller has one).
   * It publishes UserRegistered in that transaction: its in-transaction subscribers (the
   * sign-up credits) commit or roll back with the user (docs/events.md). The password is hashed before the transaction opens.
   * The user's own rows (credits, session) are written in its row scope, set once its id exists.
   */
  async register(
    email: string,
    password: string,
    options: RegisterOptions = {},
  ): Promise<AuthResult> {
    if (isCommonPassword(password)) throw new CommonPasswordError('password');
    const passwordHash = await this.hasher.hash(password);
    return this.txHost.withTransaction(async () => {
      const user = await this.users.create(
        email,
        passwordHash,
        options.role ?? 'user',
        options.language === 'tr' ? 'tr' : 'en',
      );
      return this.scope.run(user.id, async () => {
        const client = options.client ?? NO_CLIENT_INFO;
        await this.events.publish(
          new UserRegistered({
            userId: user.id,
            email: user.email,
            address: client.address,
            deviceId: client.deviceId,
            at: new Date().toISOString(),
          }),
        );
        if (options.verified) await this.mail.markVerified(user.id);
        else await this.mail.sendVerification(user);
        const tokens = await this.sessions.open(user);
        return { user, tokens };
      });
    });
  }

  /**
   * Makes `email` an admin: creates the account, or promotes an existing one (its password is
   * left as it is). Running it again changes nothing.
   */
  async ensureAdmin(email: string, password: string): Promise<{ user: User; created: boolean }> {
    const existing = await this.users.findByEmail(email);
    if (existing) {
      if (existing.role !== 'admin') await this.users.setRole(existing.id, 'admin');
      this.principals.forget(existing.id);
      return { user: { ...existing, role: 'admin' }, created: false };
    }
    const passwordHash = await this.hasher.hash(password);
    const user = await this.users.create(email, passwordHash, 'admin');
    return { user, created: true };
  }

  /**
   * Wrong password and unknown email fail alike, in about the same time, and both count
   * towards the email's lockout (so the lockout does not tell which emails exist).
   */
  async login(
    email: string,
    password: string,
    client: ClientInfo = NO_CLIENT_INFO,
  ): Promise<AuthResult> {
    let found: User | null = null;
    const valid = await this.lockout.attempt(email, async () => {
      found = await this.users.findByEmail(email);
      return found
        ? this.hasher.verify(found.passwordHash, password)
        : this.hasher.verifyNothing(password);
    });
    // Set inside the check (TypeScript cannot follow that).
    const user = found as User | null;
    if (!user || !valid) throw new InvalidCredentialsError();
    if (user.status === 'banned') throw new AccountBannedError();
    // UserLoggedIn commits with the session (the abuse signals learn of the sign-in).
    const tokens = await this.scope.run(user.id, async () => {
      await this.events.publish(
        new UserLoggedIn({ userId: user.id, ...client, at: new Date().toISOString() }),
      );
      return this.sessions.open(user);
    });
    return { user, tokens };
  }

  refresh(refreshToken: string): Promise<AuthResult> {
    return this.txHost.withTransaction(() =>
      this.sessions.rotate(refreshToken, async (userId) => {
        const user = await this.users.findById(userId);
        if (!user) throw new InvalidRefreshTokenError();
        if (user.status === 'banned') throw new AccountBannedError();
        return user;
      }),
    );
  }

  async logout(userId: string, sessionId: string): Promise<void> {
    await this.scope.run(userId, () => this.sessions.revoke(sessionId, 'logout'));
    this.principals.forget(userId);
  }

  /** Ends every session of the user, this one included (sign out everywhere). */
  async logoutEverywhere(userId: string): Promise<void> {
    await this.scope.run(userId, () => this.sessions.revokeAll(userId, 'logout_everywhere'));
    this.principals.forget(userId);
  }

  /** Changes the password and ends every other session of the user. */
  async changePassword(
    userId: string,
    sessionId: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const user = await this.users.getById(userId);
    // The current password is a guess like a login's: it counts towards the same lock, so a
    // stolen access token is not an unlimited password oracle.
    if (
      !(await this.lockout.attempt(user.email, () =>
        this.hasher.verify(user.passwordHash, currentPassword),
      ))
    )
      throw new WrongPasswordError();
    if (isCommonPassword(newPassword)) throw new CommonPasswordError('newPassword');
    const passwordHash = await this.hasher.hash(newPassword);
    await this.scope.run(userId, async () => {
      await this.users.setPasswordHash(userId, passwordHash);
      await this.sessions.revokeOthers(userId, sessionId, 'password_change');
      await this.mail.passwordChanged(userId);
    });
    this.principals.forget(userId);
  }
}
