import { DomainError, NotFoundError, ValidationError } from '@jewelshot/platform';
import type { HoldStatus } from './entities/credit-hold.entity';

/** The ledger's own error codes; its other errors use platform's generic ones. The API gives each its HTTP status (apps/api/src/http/error-status.ts). */
export const CREDIT_LEDGER_ERROR_CODES = ['INSUFFICIENT_CREDITS'] as const;

export class InsufficientCreditsError extends DomainError {
  constructor(needed: number, available: number) {
    super('INSUFFICIENT_CREDITS', `This needs ${needed} credit(s); ${available} available`, {
      needed,
      available,
    });
  }
}

export class HoldNotFoundError extends NotFoundError {
  constructor() {
    super('Credit hold not found');
  }
}

/** A hold cannot move to the asked state (e.g. confirming a voided hold). Nothing changed. */
export class HoldStateError extends DomainError {
  constructor(action: 'confirm' | 'refund', status: HoldStatus) {
    super('CONFLICT', `Cannot ${action} a hold that is ${status}`, {
      reason: 'HOLD_SETTLED',
      status,
    });
  }
}

/** A reference was already used for something else (another user, amount or operation). */
export class ReferenceConflictError extends DomainError {
  constructor(reference: string) {
    super('CONFLICT', `Reference ${reference} was already used for a different operation`, {
      reason: 'REFERENCE_REUSED',
    });
  }
}

export class BelowReservedError extends DomainError {
  constructor(balance: number, reserved: number, delta: number) {
    super('CONFLICT', 'An adjustment may not take the balance below what is reserved', {
      reason: 'BELOW_RESERVED',
      balance,
      reserved,
      delta,
    });
  }
}

export class UnknownOperationError extends ValidationError {
  constructor(operation: string) {
    super(
      [{ field: 'operation', message: `unknown operation: ${operation}` }],
      `Unknown operation ${operation}`,
    );
  }
}

export class AccountNotFoundError extends NotFoundError {
  constructor() {
    super('Credit account not found');
  }
}
