import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { In } from 'typeorm';
import {
  hydrate,
  newestFirstPage,
  NotFoundError,
  queryRows,
  ValidationError,
} from '@jewelshot/platform';
import { EMAIL_MAX_LENGTH, normalizeEmail } from '../email-address';
import { User, type PriorityTier, type UserRole, type UserStatus } from '../entities/user.entity';
import { EmailTakenError, EmailTooLongError } from '../identity.errors';

/** An admin's search: every field optional, all given ones must match. */
export interface UserSearch {
  /** A fragment of the email, case-insensitive. */
  email?: string;
  status?: UserStatus;
  role?: UserRole;
  createdFrom?: Date;
  createdTo?: Date;
}

export interface UserPage {
  data: User[];
  nextCursor: string | null;
}

/** What a user's profile shows (`GET /v1/me`): the row without its password hash and update time. */
export type UserProfile = Pick<
  User,
  'id' | 'email' | 'role' | 'status' | 'priorityTier' | 'emailVerifiedAt' | 'language' | 'createdAt'
>;

const PROFILE_COLUMNS =
  'id, email, role, status, priority_tier, email_verified_at, language, created_at';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(User);
  }

  /**
   * One user by id: one parameterised SELECT (`queryRows`: in the caller's transaction when one
   * is active, else straight on the pool), its row made into the entity by `hydrate` (the
   * entity's columns, the driver's conversions). `GET /v1/me` runs it on every request, and
   * TypeORM's query builder and query runner cost more than the query (docs/perf/).
   */
  findById(id: string): Promise<User | null> {
    return this.byId('*', id);
  }

  /**
   * A user's profile by id: findById's one statement with only the profile's columns. `GET
   * /v1/me` runs it on every request; the password hash has no business there (nor its bytes
   * in the row parser's work).
   */
  async getProfile(id: string): Promise<UserProfile> {
    const user = await this.byId(PROFILE_COLUMNS, id);
    if (!user) throw new NotFoundError('User not found');
    return user;
  }

  /** The row's `columns` (the entity's properties not read stay unset). */
  private async byId(columns: string, id: string): Promise<User | null> {
    const rows = await queryRows(this.txHost, `SELECT ${columns} FROM users WHERE id = $1`, [id]);
    return hydrate(this.txHost.tx, User, rows)[0] ?? null;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.repo.findOneBy({ email: normalizeEmail(email) });
  }

  /** The emails of those of `ids` that exist, by id: one query for a page of rows naming users. */
  async emailsOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.repo.find({
      where: { id: In([...new Set(ids)]) },
      select: { id: true, email: true },
    });
    return new Map(rows.map((user) => [user.id, user.email]));
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundError('User not found');
    return user;
  }

  /**
   * Inserts a user with an already computed hash (hash before opening a transaction: argon2
   * is slow on purpose). A taken email, checked first and by the unique index, is a CONFLICT.
   */
  async create(
    email: string,
    passwordHash: string,
    role: UserRole = 'user',
    language = 'en',
  ): Promise<User> {
    const normalized = normalizeEmail(email);
    // Checked on the stored form: the caller may have checked the length before lower-casing.
    if (normalized.length > EMAIL_MAX_LENGTH) throw new EmailTooLongError();
    if (await this.findByEmail(normalized)) throw new EmailTakenError();
    try {
      return await this.repo.save(
        this.repo.create({ email: normalized, passwordHash, role, status: 'active', language }),
      );
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new EmailTakenError();
      throw error;
    }
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.repo.update({ id: userId }, { passwordHash });
  }

  /** Sets email_verified_at if it is not set yet; true when this call set it. */
  async markEmailVerified(userId: string): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(User)
      .set({ emailVerifiedAt: () => 'now()' })
      .where('id = :userId AND email_verified_at IS NULL', { userId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async setRole(userId: string, role: UserRole): Promise<void> {
    await this.repo.update({ id: userId }, { role });
  }

  async setPriorityTier(userId: string, priorityTier: PriorityTier): Promise<void> {
    await this.repo.update({ id: userId }, { priorityTier });
  }

  async setStatus(userId: string, status: UserStatus): Promise<void> {
    await this.repo.update({ id: userId }, { status });
  }

  /**
   * Locks every active admin's row (in the caller's transaction) and returns their ids: two
   * admins demoting each other at once cannot both see "one other admin is left".
   */
  async lockActiveAdmins(): Promise<string[]> {
    const rows = await this.repo
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .select(['u.id'])
      .where(`u.role = 'admin' AND u.status = 'active'`)
      .orderBy('u.id')
      .getMany();
    return rows.map((row) => row.id);
  }

  /** Users by creation, newest first, matching `search`; the cursor is the last id seen. */
  async list(limit: number, cursor?: string, search: UserSearch = {}): Promise<UserPage> {
    const after = cursor ? await this.findById(cursor) : null;
    if (cursor && !after)
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    const query = this.repo.createQueryBuilder('u');
    if (search.email) {
      const fragment = search.email.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      query.andWhere(`u.email LIKE :email`, { email: `%${fragment}%` });
    }
    if (search.status) query.andWhere('u.status = :status', { status: search.status });
    if (search.role) query.andWhere('u.role = :role', { role: search.role });
    if (search.createdFrom) query.andWhere('u.createdAt >= :from', { from: search.createdFrom });
    if (search.createdTo) query.andWhere('u.createdAt < :to', { to: search.createdTo });
    return newestFirstPage(query, limit, after);
  }
}
