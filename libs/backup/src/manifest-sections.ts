import type { ManifestSection } from './manifest';

/** Σ balance, Σ reserved and the entry count: what a restore must give back to the credit. */
export const LEDGER_TOTALS_SECTION: ManifestSection = {
  name: 'ledgerTotals',
  rows: 'one',
  sql: `SELECT (SELECT COALESCE(SUM(balance), 0) FROM credit_accounts) AS balance,
               (SELECT COALESCE(SUM(reserved), 0) FROM credit_accounts) AS reserved,
               (SELECT COUNT(*) FROM credit_entries) AS entries,
               (SELECT COALESCE(MAX(id), 0) FROM credit_entries) AS "lastEntryId"`,
};

/** Every stored file's key: the images the database points at (backup:verify-files checks them). */
export const STORED_FILE_KEYS_SECTION: ManifestSection = {
  name: 'storedFileKeys',
  rows: 'all',
  sql: `SELECT storage_key FROM files ORDER BY storage_key`,
};

/**
 * The audit chain's head (last seq and its hash; seq 0 and no hash for an empty log): a restore
 * must give back exactly this chain, and audit:verify then proves every row up to it.
 */
export const AUDIT_CHAIN_HEAD_SECTION: ManifestSection = {
  name: 'auditChainHead',
  rows: 'one',
  sql: `SELECT COALESCE(MAX(seq), 0) AS seq,
               (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1) AS hash
          FROM audit_events`,
};

/**
 * What every backup's manifest records and every restore compares. A lib that owns a figure a
 * restore must give back adds its section here.
 */
export const BACKUP_MANIFEST_SECTIONS: readonly ManifestSection[] = [
  LEDGER_TOTALS_SECTION,
  STORED_FILE_KEYS_SECTION,
  AUDIT_CHAIN_HEAD_SECTION,
];
