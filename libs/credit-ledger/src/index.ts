/**
 * The ledger's public face: its module and entities, config, errors, queue, the hold-activity
 * port and the services the apps and higher libs call (test/integration/public-faces.spec.ts
 * snapshots it).
 */
export { CREDIT_LEDGER_ENTITIES, CreditLedgerModule } from './credit-ledger.module';
export { CREDIT_LEDGER_CONFIG, creditLedgerConfig } from './credit-ledger.config';
export type { CreditLedgerConfig } from './credit-ledger.config';
export {
  AccountNotFoundError,
  BelowReservedError,
  CREDIT_LEDGER_ERROR_CODES,
  HoldNotFoundError,
  HoldStateError,
  InsufficientCreditsError,
  ReferenceConflictError,
  UnknownOperationError,
} from './ledger.errors';
export { CreditEntry, ENTRY_KINDS } from './entities/credit-entry.entity';
export type { EntryKind } from './entities/credit-entry.entity';
export { CreditHold, HOLD_STATUSES } from './entities/credit-hold.entity';
export type { HoldStatus } from './entities/credit-hold.entity';
export { OperationPrice } from './entities/operation-price.entity';
export { HOLD_ACTIVITY } from './hold-activity';
export type { HoldActivity } from './hold-activity';
export { LEDGER_QUEUE, LedgerJob } from './ledger.queue';
export { LedgerVerifier } from './services/ledger-verifier';
export type { LedgerCheck } from './ledger-checks';
export { LedgerService } from './services/ledger.service';
export type { Balance, LedgerSummary } from './services/ledger.service';
export { SignupCredits } from './services/signup-credits.subscriber';
export { LEDGER_CHECKS } from './ledger-checks';
export type { LedgerChecks } from './ledger-checks';
export { CreditsLow } from './events/credits-low';
export { SignupCreditsGranted } from './events/signup-credits-granted';
