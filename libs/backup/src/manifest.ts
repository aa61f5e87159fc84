import type { ClientBase } from 'pg';

/**
 * One part of the manifest another domain contributes: SQL run in the backup's snapshot (and
 * again on the restored database, which must give the same answer). `one`: the first row's
 * columns; `all`: every row's first column, in the SQL's order.
 */
export interface ManifestSection {
  name: string;
  sql: string;
  rows: 'one' | 'all';
}

export const MANIFEST_FILE = 'backup.json';
export const DUMP_FILE = 'db.dump';
export const MANIFEST_FORMAT = 1;

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  /** When the snapshot was taken (PostgreSQL's clock), ISO 8601. */
  createdAt: string;
  database: string;
  /** The newest migration applied, and how many are. */
  migration: { latest: string | null; applied: number };
  /** Exact row count of every table of the public schema, in the dump's snapshot. */
  rowCounts: Record<string, number>;
  /** The sections' answers, by section name (e.g. ledger totals, stored-file keys). */
  sections: Record<string, unknown>;
  dump: { file: string; bytes: number; sha256: string };
  tools: { pgDump: string; server: string; node: string; app: string };
  durationMs: number;
}

/** The schema_migrations table changes when a restore runs newer migrations: not compared. */
export const MIGRATIONS_TABLE = 'schema_migrations';

export interface DatabaseFacts {
  createdAt: string;
  database: string;
  server: string;
  migration: BackupManifest['migration'];
  rowCounts: Record<string, number>;
  sections: Record<string, unknown>;
}

/**
 * What the manifest says about the data, read through `client` (inside the snapshot the dump
 * is taken from, so the two agree). Row-level security is lifted for the transaction: counts
 * over a filtered view would prove nothing.
 */
export async function readDatabaseFacts(
  client: ClientBase,
  sections: readonly ManifestSection[],
): Promise<DatabaseFacts> {
  await client.query(`SELECT set_config('app.all_users', 'on', true)`);
  const head = await client.query<{ now: Date; db: string; version: string }>(
    `SELECT now() AS now, current_database() AS db, current_setting('server_version') AS version`,
  );
  const tables = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const rowCounts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const counted = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM public."${name.replace(/"/g, '""')}"`,
    );
    rowCounts[name] = Number(counted.rows[0]?.n ?? 0);
  }
  let migration: BackupManifest['migration'] = { latest: null, applied: 0 };
  if (MIGRATIONS_TABLE in rowCounts) {
    const latest = await client.query<{ name: string }>(
      `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY timestamp DESC, id DESC LIMIT 1`,
    );
    migration = { latest: latest.rows[0]?.name ?? null, applied: rowCounts[MIGRATIONS_TABLE] ?? 0 };
  }
  const answers: Record<string, unknown> = {};
  for (const section of sections) {
    const result = await client.query<Record<string, unknown>>(section.sql);
    answers[section.name] =
      section.rows === 'one'
        ? normalise(result.rows[0] ?? {})
        : result.rows.map((row) => Object.values(row)[0]);
  }
  const first = head.rows[0];
  return {
    createdAt: (first?.now ?? new Date()).toISOString(),
    database: first?.db ?? '',
    server: first?.version ?? '',
    migration,
    rowCounts,
    sections: answers,
  };
}

/** bigint and numeric columns come back as strings: numbers when they fit, so JSON compares. */
function normalise(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row))
    out[key] =
      typeof value === 'string' && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))
        ? Number(value)
        : value;
  return out;
}

/**
 * Each difference between what the manifest recorded and what the restored database holds,
 * in words; empty when they agree. Tables that newer migrations created are not in the
 * manifest and not compared; a table of the manifest that is missing is a mismatch.
 */
export function compareFacts(manifest: BackupManifest, restored: DatabaseFacts): string[] {
  const problems: string[] = [];
  for (const [table, expected] of Object.entries(manifest.rowCounts)) {
    if (table === MIGRATIONS_TABLE) continue;
    const actual = restored.rowCounts[table];
    if (actual === undefined) problems.push(`table ${table}: missing after the restore`);
    else if (actual !== expected)
      problems.push(`table ${table}: ${actual} rows, the backup had ${expected}`);
  }
  for (const [name, expected] of Object.entries(manifest.sections)) {
    if (!(name in restored.sections)) continue;
    const actual = restored.sections[name];
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      problems.push(
        `${name}: ${describe(actual)} after the restore, the backup had ${describe(expected)}`,
      );
  }
  return problems;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `${value.length} item(s)`;
  return JSON.stringify(value);
}
