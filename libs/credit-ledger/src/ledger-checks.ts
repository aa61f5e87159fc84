/** An extra check another domain adds (e.g. jobs against holds). */
export interface LedgerCheck {
  name: string;
  /** SQL returning rows of { subject, detail }: every row is a violation. */
  sql: string;
}

/**
 * Port: more consistency checks for the ledger verifier, from the domains that hold what the
 * ledger's entries refer to (the AI jobs provide job-vs-hold checks). Several libs may each
 * provide it, with a list of checks: `{ provide: LEDGER_CHECKS, useValue: [...] }`.
 */
export const LEDGER_CHECKS = Symbol('LEDGER_CHECKS');

export type LedgerChecks = readonly LedgerCheck[];
