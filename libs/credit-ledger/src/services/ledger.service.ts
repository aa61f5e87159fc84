import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { isUuid, newestFirstPage, portProviders, ValidationError } from '@jewelshot/platform';
import { CREDIT_LEDGER_CONFIG, type CreditLedgerConfig } from '../credit-ledger.config';
import { HOLD_ACTIVITY, type HoldActivity } from '../hold-activity';
import { CreditAccount } from '../entities/credit-account.entity';
import { measured } from '../ledger.metrics';
import { LowCredits } from './low-credits';
import { CreditEntry, type EntryKind } from '../entities/credit-entry.entity';
import { CreditHold, type HoldStatus } from '../entities/credit-hold.entity';
import { OperationPrice } from '../entities/operation-price.entity';
import {
  AccountNotFoundError,
  BelowReservedError,
  HoldNotFoundError,
  HoldStateError,
  InsufficientCreditsError,
  ReferenceConflictError,
  UnknownOperationError,
} from '../ledger.errors';

export interface Balance {
  balance: number;
  reserved: number;
  available: number;
}

export interface EntryPage {
  data: CreditEntry[];
  nextCursor: string | null;
}

export interface HoldPage {
  data: CreditHold[];
  nextCursor: string | null;
}

/** What moved through the ledger over a range, in credits (all positive numbers). */
export interface LedgerSummary {
  granted: number;
  purchased: number;
  charged: number;
  /** Released holds: reserved, then given back (refunds, cancels, expiries). */
  refunded: number;
  adjustedUp: number;
  adjustedDown: number;
}

export interface ReserveOptions {
  quantity?: number;
  /** Overrides HOLD_TTL_SECONDS for this hold. */
  ttlSeconds?: number;
  /**
   * The reference of the grant entry that pays for this hold (granted just before, in the same
   * transaction). Released, the hold takes that grant back.
   */
  fundedBy?: string;
}

const MAX_QUANTITY = 1000;
const MAX_AMOUNT = 1_000_000_000;

function assertAmount(field: string, value: number, allowNegative: boolean): void {
  const ok =
    Number.isSafeInteger(value) &&
    value !== 0 &&
    Math.abs(value) <= MAX_AMOUNT &&
    (allowNegative || value > 0);
  if (!ok)
    throw new ValidationError([
      { field, message: `${field} must be a non-zero whole number of credits` },
    ]);
}

/** The reference of the entry that takes back the grant `grantReference` paid a hold with. */
function takenBackReference(grantReference: string): string {
  return `taken-back:${grantReference}`;
}

function assertHoldId(holdId: string): void {
  if (!isUuid(holdId)) throw new HoldNotFoundError();
}

function assertReference(reference: string): void {
  if (!reference || reference.length > 128) {
    throw new ValidationError([
      { field: 'reference', message: 'reference must be 1-128 characters' },
    ]);
  }
}

/**
 * The only code that changes a credit balance. Two-phase: reserve -> confirm | refund (| expire).
 * Every method is one transaction (joining the caller's, if any, through this app's
 * TransactionHost: not the @Transactional decorator, whose static host would be shared by
 * every Nest app in the process) that locks the account row
 * (SELECT ... FOR UPDATE) before the hold row, and every method is idempotent on its
 * reference or hold.
 */
@Injectable()
export class LedgerService {
  private readonly logger = new Logger(LedgerService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(CREDIT_LEDGER_CONFIG) private readonly config: CreditLedgerConfig,
    private readonly moduleRef: ModuleRef,
    private readonly lowCredits: LowCredits,
  ) {}

  private get accounts() {
    return this.txHost.tx.getRepository(CreditAccount);
  }

  private get holds() {
    return this.txHost.tx.getRepository(CreditHold);
  }

  private get entries() {
    return this.txHost.tx.getRepository(CreditEntry);
  }

  private async lockAccount(userId: string): Promise<CreditAccount> {
    const account = await this.accounts
      .createQueryBuilder('a')
      .setLock('pessimistic_write')
      .where('a.userId = :userId', { userId })
      .getOne();
    if (!account) throw new AccountNotFoundError();
    return account;
  }

  /** Locks the account a hold belongs to: always the account first, then the hold. */
  private async lockAccountOfHold(holdId: string): Promise<CreditAccount> {
    const account = await this.accounts
      .createQueryBuilder('a')
      .setLock('pessimistic_write')
      .where('a.userId = (SELECT h.user_id FROM credit_holds h WHERE h.id = :holdId)', { holdId })
      .getOne();
    if (!account) throw new HoldNotFoundError();
    return account;
  }

  private async lockHold(id: string): Promise<CreditHold> {
    const hold = await this.holds
      .createQueryBuilder('h')
      .setLock('pessimistic_write')
      .where('h.id = :id', { id })
      .getOne();
    if (!hold) throw new HoldNotFoundError();
    return hold;
  }

  /**
   * The account's balance. With `lock` (inside the caller's transaction) the account row stays
   * locked until that transaction ends, so what it says still holds for the caller's next steps.
   */
  async balance(userId: string, options: { lock?: boolean } = {}): Promise<Balance> {
    const account = options.lock
      ? await this.lockAccount(userId)
      : await this.accounts.findOneBy({ userId });
    if (!account) throw new AccountNotFoundError();
    return {
      balance: account.balance,
      reserved: account.reserved,
      available: account.balance - account.reserved,
    };
  }

  prices(): Promise<OperationPrice[]> {
    return this.txHost.tx.getRepository(OperationPrice).find({ order: { operation: 'ASC' } });
  }

  /**
   * Sets an operation's price. Holds already made keep the price they snapshotted; holds made
   * after this commits take the new one. Returns the price before and after.
   */
  async setPrice(operation: string, credits: number): Promise<{ before: number; after: number }> {
    assertAmount('credits', credits, false);
    return this.txHost.withTransaction(async () => {
      const prices = this.txHost.tx.getRepository(OperationPrice);
      const current = await prices
        .createQueryBuilder('p')
        .setLock('pessimistic_write')
        .where('p.operation = :operation', { operation })
        .getOne();
      if (!current) throw new UnknownOperationError(operation);
      await prices.update({ operation }, { credits });
      return { before: current.credits, after: credits };
    });
  }

  /** The account's pending holds, newest first. */
  pendingHolds(userId: string, limit = 50): Promise<CreditHold[]> {
    return this.holds.find({
      where: { userId, status: 'pending' },
      order: { createdAt: 'DESC' },
      take: limit,
    });
  }

  /** Which of these users ever bought credits (in the caller's transaction and row scope). */
  async purchasers(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = (await this.txHost.tx.query(
      `SELECT DISTINCT user_id::text AS user_id FROM credit_entries
        WHERE user_id = ANY($1::uuid[]) AND kind = 'purchase'`,
      [userIds],
    )) as Array<{ user_id: string }>;
    return new Set(rows.map((r) => r.user_id));
  }

  /** Credits granted, purchased, charged, refunded and adjusted between `from` and `to`. */
  async summary(from: Date, to: Date): Promise<LedgerSummary> {
    const [entries] = (await this.txHost.tx.query(
      `SELECT COALESCE(SUM(delta) FILTER (WHERE kind = 'grant'), 0) AS granted,
              COALESCE(SUM(delta) FILTER (WHERE kind = 'purchase'), 0) AS purchased,
              COALESCE(-SUM(delta) FILTER (WHERE kind = 'charge'), 0) AS charged,
              COALESCE(SUM(delta) FILTER (WHERE kind = 'adjustment' AND delta > 0), 0) AS up,
              COALESCE(-SUM(delta) FILTER (WHERE kind = 'adjustment' AND delta < 0), 0) AS down
         FROM credit_entries WHERE created_at >= $1 AND created_at < $2`,
      [from, to],
    )) as Array<Record<'granted' | 'purchased' | 'charged' | 'up' | 'down', string>>;
    const [holds] = (await this.txHost.tx.query(
      `SELECT COALESCE(SUM(amount), 0) AS refunded FROM credit_holds
        WHERE status IN ('voided', 'expired') AND settled_at >= $1 AND settled_at < $2`,
      [from, to],
    )) as Array<{ refunded: string }>;
    return {
      granted: Number(entries?.granted ?? 0),
      purchased: Number(entries?.purchased ?? 0),
      charged: Number(entries?.charged ?? 0),
      refunded: Number(holds?.refunded ?? 0),
      adjustedUp: Number(entries?.up ?? 0),
      adjustedDown: Number(entries?.down ?? 0),
    };
  }

  /**
   * Credits `quantity` units of `operation` would cost now. `holdPrice`: the price row is
   * share-locked until the caller's transaction ends, so a price change waits for it and every
   * hold it makes meanwhile is at this price (a batch: its check and its holds agree).
   */
  async quote(
    operation: string,
    quantity = 1,
    options: { holdPrice?: boolean } = {},
  ): Promise<{ unitPrice: number; amount: number }> {
    const price = await this.txHost.tx.getRepository(OperationPrice).findOne({
      where: { operation },
      ...(options.holdPrice ? { lock: { mode: 'pessimistic_read' as const } } : {}),
    });
    if (!price) throw new UnknownOperationError(operation);
    return { unitPrice: price.credits, amount: price.credits * quantity };
  }

  /**
   * Reserves the price of `quantity` × `operation` for `reference`. A second call with the same
   * reference returns the first hold (whatever its state) and reserves nothing more.
   */
  reserve(
    userId: string,
    operation: string,
    reference: string,
    options: ReserveOptions = {},
  ): Promise<CreditHold> {
    return measured('reserve', () =>
      this.txHost.withTransaction(() => this.reserveLocked(userId, operation, reference, options)),
    );
  }

  private async reserveLocked(
    userId: string,
    operation: string,
    reference: string,
    options: ReserveOptions,
  ): Promise<CreditHold> {
    const quantity = options.quantity ?? 1;
    assertReference(reference);
    if (options.fundedBy !== undefined) assertReference(takenBackReference(options.fundedBy));
    if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw new ValidationError([
        { field: 'quantity', message: `quantity must be 1-${MAX_QUANTITY}` },
      ]);
    }
    // One round trip: lock the account and read the current price together.
    const [locked] = (await this.txHost.tx.query(
      `SELECT a.balance, a.reserved, a.low_credits_notified, p.credits
         FROM credit_accounts a LEFT JOIN operation_prices p ON p.operation = $2
        WHERE a.user_id = $1
          FOR UPDATE OF a`,
      [userId, operation],
    )) as Array<{
      balance: string;
      reserved: string;
      low_credits_notified: boolean;
      credits: number | null;
    }>;
    if (!locked) throw new AccountNotFoundError();
    if (locked.credits === null) throw new UnknownOperationError(operation);
    const unitPrice = locked.credits;
    const amount = unitPrice * quantity;
    const reserved = Number(locked.reserved);
    const available = Number(locked.balance) - reserved;
    if (available < amount) {
      // A retry of a reservation that already went through is not an overdraft.
      const earlier = await this.holds.findOneBy({ reference });
      if (earlier) return this.sameHold(earlier, userId, operation, quantity);
      throw new InsufficientCreditsError(amount, available);
    }
    const ttl = options.ttlSeconds ?? this.config.HOLD_TTL_SECONDS;
    const now = new Date();
    const hold = this.holds.create({
      id: randomUUID(),
      userId,
      operation,
      unitPrice,
      quantity,
      amount,
      reference,
      status: 'pending',
      fundedBy: options.fundedBy ?? null,
      reason: null,
      expiresAt: new Date(now.getTime() + ttl * 1000),
      createdAt: now,
      settledAt: null,
    });
    // The unique index on reference decides between retries and between accounts racing for
    // one reference (their locks are not ours): a repeat returns the first hold, anything else
    // is a clear conflict rather than a failed transaction.
    const inserted = await this.holds
      .createQueryBuilder()
      .insert()
      .values(hold)
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      const winner = await this.holds.findOneByOrFail({ reference });
      return this.sameHold(winner, userId, operation, quantity);
    }
    await this.accounts.update({ userId }, { reserved: reserved + amount });
    await this.lowCredits.watch(userId, {
      notified: locked.low_credits_notified,
      available: available - amount,
    });
    return hold;
  }

  private sameHold(
    hold: CreditHold,
    userId: string,
    operation: string,
    quantity: number,
  ): CreditHold {
    if (hold.userId !== userId || hold.operation !== operation || hold.quantity !== quantity) {
      throw new ReferenceConflictError(hold.reference);
    }
    return hold;
  }

  /**
   * Charges a pending hold: balance and reserved both drop by its amount and a charge entry is
   * written. Confirming a posted hold again changes nothing; a voided or expired one is an error.
   */
  confirm(holdId: string): Promise<CreditHold> {
    return measured('confirm', () => this.txHost.withTransaction(() => this.confirmLocked(holdId)));
  }

  private async confirmLocked(holdId: string): Promise<CreditHold> {
    assertHoldId(holdId);
    const account = await this.lockAccountOfHold(holdId);
    const hold = await this.lockHold(holdId);
    if (hold.status === 'posted') return hold;
    if (hold.status !== 'pending') throw new HoldStateError('confirm', hold.status);

    const balance = account.balance - hold.amount;
    await this.accounts.update(
      { userId: hold.userId },
      { balance, reserved: account.reserved - hold.amount },
    );
    await this.entries.insert({
      userId: hold.userId,
      delta: -hold.amount,
      balanceAfter: balance,
      kind: 'charge',
      holdId: hold.id,
      reference: `hold:${hold.id}`,
      reason: `${hold.operation} × ${hold.quantity}`,
      actorId: null,
    });
    return this.settle(hold, 'posted', null);
  }

  /** Releases a pending hold. Refunding a voided or expired hold again is a no-op; a posted one is an error. */
  refund(holdId: string, reason: string): Promise<CreditHold> {
    return measured('refund', () =>
      this.txHost.withTransaction(() => this.release(holdId, 'voided', reason)),
    );
  }

  /** The sweeper's release: like a refund, but the hold ends `expired` and can never be posted. */
  expire(holdId: string, reason = 'expired'): Promise<CreditHold> {
    return measured('expire', () =>
      this.txHost.withTransaction(() => this.release(holdId, 'expired', reason)),
    );
  }

  private async release(
    holdId: string,
    status: 'voided' | 'expired',
    reason: string,
  ): Promise<CreditHold> {
    assertHoldId(holdId);
    const account = await this.lockAccountOfHold(holdId);
    const hold = await this.lockHold(holdId);
    if (hold.status === 'voided' || hold.status === 'expired') return hold;
    if (hold.status === 'posted') throw new HoldStateError('refund', hold.status);
    await this.accounts.update(
      { userId: hold.userId },
      { reserved: account.reserved - hold.amount },
    );
    await this.lowCredits.watch(hold.userId, {
      notified: account.lowCreditsNotified,
      available: account.balance - account.reserved + hold.amount,
    });
    const released = await this.settle(hold, status, reason.slice(0, 500));
    if (hold.fundedBy) await this.takeBackGrant(hold.userId, hold.fundedBy);
    return released;
  }

  /**
   * A released hold that a grant paid for takes the grant back, in the release's transaction:
   * the free job did not succeed, so the account is left as it was before the grant. The hold
   * was the grant's amount, so the credits are available again; only what is available is
   * taken, so a release never fails on it.
   */
  private async takeBackGrant(userId: string, grantReference: string): Promise<void> {
    const grant = await this.entries.findOneBy({ reference: grantReference });
    if (!grant || grant.userId !== userId || grant.delta <= 0) return;
    const account = await this.lockAccount(userId);
    const amount = Math.min(grant.delta, account.balance - account.reserved);
    if (amount <= 0) return;
    await this.write(
      userId,
      -amount,
      takenBackReference(grantReference),
      'Grant taken back: the job it paid for did not succeed',
      'grant',
      null,
    );
  }

  private async settle(
    hold: CreditHold,
    status: HoldStatus,
    reason: string | null,
  ): Promise<CreditHold> {
    const settledAt = new Date();
    await this.holds.update({ id: hold.id }, { status, reason, settledAt });
    return Object.assign(hold, { status, reason, settledAt });
  }

  /** Adds credits (sign-up bonus, promotion). Idempotent on `reference`. */
  grant(
    userId: string,
    amount: number,
    reference: string,
    reason: string,
    kind: 'grant' | 'purchase' = 'grant',
  ): Promise<CreditEntry> {
    assertAmount('amount', amount, false);
    return measured('grant', () =>
      this.txHost.withTransaction(() => this.write(userId, amount, reference, reason, kind, null)),
    );
  }

  /**
   * An admin's correction, up or down; never below what is reserved. Idempotent on `reference`.
   */
  adjust(
    userId: string,
    delta: number,
    reference: string,
    reason: string,
    actorId: string | null,
  ): Promise<CreditEntry> {
    assertAmount('delta', delta, true);
    return measured('adjust', () =>
      this.txHost.withTransaction(() =>
        this.write(userId, delta, reference, reason, 'adjustment', actorId),
      ),
    );
  }

  private async write(
    userId: string,
    delta: number,
    reference: string,
    reason: string,
    kind: EntryKind,
    actorId: string | null,
  ): Promise<CreditEntry> {
    assertReference(reference);
    const account = await this.lockAccount(userId);
    const balance = account.balance + delta;
    if (balance < account.reserved) {
      // A retry of an adjustment that already went through is not a new overdraft.
      const earlier = await this.entries.findOneBy({ reference });
      if (earlier) return this.sameEntry(earlier, userId, delta, kind, reason);
      throw new BelowReservedError(account.balance, account.reserved, delta);
    }
    const entry = this.entries.create({
      userId,
      delta,
      balanceAfter: balance,
      kind,
      holdId: null,
      reference,
      reason: reason.slice(0, 500),
      actorId,
    });
    // As in reserve: a reference taken concurrently for another account is a conflict.
    const inserted = await this.entries
      .createQueryBuilder()
      .insert()
      .values(entry)
      .orIgnore()
      .returning(['id', 'created_at'])
      .execute();
    const row = (inserted.raw as Array<{ id: string; created_at: Date }>)[0];
    if (!row) {
      const winner = await this.entries.findOneByOrFail({ reference });
      return this.sameEntry(winner, userId, delta, kind, reason);
    }
    await this.accounts.update({ userId }, { balance });
    await this.lowCredits.watch(userId);
    return Object.assign(entry, { id: String(row.id), createdAt: row.created_at });
  }

  /** A replay of `reference` is the same request (its reason included), or a conflict. */
  private sameEntry(
    entry: CreditEntry,
    userId: string,
    delta: number,
    kind: EntryKind,
    reason: string,
  ): CreditEntry {
    if (
      entry.userId !== userId ||
      entry.delta !== delta ||
      entry.kind !== kind ||
      entry.reason !== reason.slice(0, 500)
    )
      throw new ReferenceConflictError(entry.reference);
    return entry;
  }

  /** The entry written for `reference`, if any (a replay of an idempotent write finds it). */
  entry(reference: string): Promise<CreditEntry | null> {
    return this.entries.findOneBy({ reference });
  }

  /** The account's entries, newest first; the cursor is the last id seen. */
  async history(userId: string, limit: number, cursor?: string): Promise<EntryPage> {
    // An entry id is a bigint: a cursor past its largest value would be a database error (500).
    if (
      cursor !== undefined &&
      (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > 9_223_372_036_854_775_807n)
    ) {
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    }
    // The hold a charge settled says what it paid for (operation and quantity).
    const query = this.entries
      .createQueryBuilder('e')
      .leftJoinAndSelect('e.hold', 'h')
      .where('e.userId = :userId', { userId })
      .orderBy('e.id', 'DESC')
      .take(limit + 1);
    if (cursor !== undefined) query.andWhere('e.id < :cursor', { cursor });
    const rows = await query.getMany();
    const data = rows.slice(0, limit);
    return { data, nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
  }

  /**
   * The user's holds, newest first: what each operation reserved and how it ended (posted =
   * charged, voided = refunded, expired = released by the sweeper). A refund changes no
   * balance, so it is here and not in `history`. The cursor is the last hold's id.
   */
  async holdHistory(userId: string, limit: number, cursor?: string): Promise<HoldPage> {
    let after: CreditHold | null = null;
    if (cursor !== undefined) {
      after = isUuid(cursor) ? await this.holds.findOneBy({ id: cursor, userId }) : null;
      if (!after) {
        throw new ValidationError([
          { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
        ]);
      }
    }
    const query = this.holds.createQueryBuilder('h').where('h.userId = :userId', { userId });
    return newestFirstPage(query, limit, after);
  }

  /**
   * Expires pending holds past their time whose reference is no longer being worked on,
   * releasing what they reserved. Each hold in its own transaction. What is still worked on
   * the ledger asks the HOLD_ACTIVITY port (provided where holds are worked on: the AI jobs in
   * the worker); with no provider, nothing is. `stillActive` overrides the port (tests).
   */
  async expireStale(
    stillActive: HoldActivity['stillActive'] = (references) => this.stillActive(references),
    batch = 500,
  ): Promise<{ expired: number; skipped: number }> {
    const due = await this.txHost.tx
      .getRepository(CreditHold)
      .createQueryBuilder('h')
      .where(`h.status = 'pending'`)
      .andWhere('h.expiresAt < now()')
      .orderBy('h.expiresAt', 'ASC')
      .take(batch)
      .getMany();
    if (due.length === 0) return { expired: 0, skipped: 0 };
    const active = await stillActive(due.map((hold) => hold.reference));
    let expired = 0;
    for (const hold of due) {
      if (active.has(hold.reference)) continue;
      try {
        const result = await this.expire(
          hold.id,
          'expired: nothing was working on it past its expiry',
        );
        if (result.status === 'expired') expired += 1;
      } catch (error) {
        // Posted while we looked: it was paid for, nothing to release.
        if (!(error instanceof HoldStateError)) throw error;
      }
    }
    const skipped = due.length - expired;
    if (expired > 0 || skipped > 0)
      this.logger.log(`hold sweep: expired ${expired}, still active ${skipped}`);
    return { expired, skipped };
  }

  private async stillActive(references: string[]): Promise<Set<string>> {
    const active = new Set<string>();
    for (const port of portProviders<HoldActivity>(this.moduleRef, HOLD_ACTIVITY))
      for (const reference of await port.stillActive(references)) active.add(reference);
    return active;
  }
}
