/**
 * npm run bench:lists — the list, search and sum endpoints on a database of realistic size.
 *
 * Seeds a throwaway database (bench/lists-seed.sql: BENCH_LISTS_JOBS jobs, default 300,000,
 * five heavy sellers with BENCH_LISTS_HEAVY_JOBS each, default 24,000, and the holds, ledger
 * entries, files, emails, audit events and abuse flags that go with them), starts the API on it,
 * and times each endpoint an admin or a heavy seller pages through: the first page, and a page
 * 20 pages deep, p50 of 5 calls after one to warm up. Then pages the abuse flags (created in
 * groups that share one instant to the microsecond, as rows of one transaction do) 7 at a
 * time and counts what paging saw against the table, and times `ledger:verify` on the whole
 * ledger. Prints a table; figures in docs/performance.md ("Lists at scale").
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '@jewelshot/platform';
import { extendAuditChain } from './audit-chain';
import { freePort } from './free-port';
import {
  benchApiEnv,
  BENCH_SERVER,
  createBenchDatabase,
  dropBenchDatabase,
  percentile,
  waitFor,
} from './support';

const JOBS = Number(process.env.BENCH_LISTS_JOBS ?? 300_000);
const HEAVY_JOBS = Number(process.env.BENCH_LISTS_HEAVY_JOBS ?? Math.min(24_000, JOBS / 10));
const USERS = Number(process.env.BENCH_LISTS_USERS ?? 5_000);
const ADMIN_EMAIL = 'bench-admin@bench.test';
const PASSWORD = 'bench-lists-password-1';

interface Row {
  who: 'admin' | 'seller';
  label: string;
  path: string;
}

const ROWS: Row[] = [
  { who: 'admin', label: 'admin jobs', path: '/v1/admin/jobs?limit=20' },
  { who: 'admin', label: 'admin jobs, failed', path: '/v1/admin/jobs?limit=20&status=failed' },
  { who: 'admin', label: 'admin jobs, canceled', path: '/v1/admin/jobs?limit=20&status=canceled' },
  { who: 'admin', label: 'admin jobs, upscale', path: '/v1/admin/jobs?limit=20&operation=upscale' },
  { who: 'admin', label: 'admin emails, failed', path: '/v1/admin/emails?limit=20&status=failed' },
  {
    who: 'admin',
    label: 'admin audit, price.set',
    path: '/v1/admin/audit?limit=20&action=price.set',
  },
  { who: 'admin', label: 'admin abuse flags', path: '/v1/admin/abuse/flags?limit=20' },
  { who: 'admin', label: 'admin ledger summary, 30 days', path: '/v1/admin/ledger/summary' },
  { who: 'seller', label: 'seller jobs', path: '/v1/ai/jobs?limit=20' },
  { who: 'seller', label: 'seller jobs, failed', path: '/v1/ai/jobs?limit=20&status=failed' },
  { who: 'seller', label: 'seller holds', path: '/v1/credits/holds?limit=20' },
  { who: 'seller', label: 'seller credit history', path: '/v1/credits/history?limit=20' },
  { who: 'seller', label: 'seller files', path: '/v1/files?limit=20' },
  { who: 'seller', label: 'seller storage used', path: '/v1/files/usage' },
];

/**
 * `count` audit events after the chain's head (the admin's creation): admins' reads and
 * refusals mostly, a rare price change, a millisecond per thousand events after the head.
 */
async function seedAudit(db: Client, count: number, key: string): Promise<void> {
  const {
    rows: [head],
  } = await db.query<{ seq: number }>('SELECT max(seq)::int AS seq FROM audit_events');
  const from = head?.seq ?? 0;
  await extendAuditChain(db, from + count, key, (seq, last) => {
    const action = seq % 2000 === 0 ? 'price.set' : seq % 4 === 0 ? 'denied' : 'support.read';
    return {
      occurredAt: new Date(
        (last?.occurredAt.getTime() ?? Date.now()) + Math.floor((seq - from) / 1000),
      ),
      actorId: last?.actorId ?? null,
      actorEmail: last?.actorEmail ?? null,
      action,
      targetType: 'user',
      targetId: last?.actorId ?? null,
      outcome: action === 'denied' ? 'denied' : 'succeeded',
      reason: null,
      details: null,
      before: null,
      after: null,
      ip: '127.0.0.1',
      userAgent: 'bench',
      requestId: `bench-${seq}`,
    };
  });
}

async function main(): Promise<void> {
  const root = repoRoot();
  const { database, admin } = await createBenchDatabase();
  const scratch = await mkdtemp(join(tmpdir(), 'jewelshot-bench-lists-'));
  const port = await freePort();
  const env = {
    ...benchApiEnv(database, port, 'warn', scratch),
    RATE_LIMIT_ENABLED: 'false',
    REQUEST_DEADLINE_MS: '60000',
    HTTP_IDLE_TIMEOUT_MS: '120000',
  };
  const cli = (name: string, args: string[] = []) => {
    const started = process.hrtime.bigint();
    const run = spawnSync(
      process.execPath,
      [join(root, 'dist', 'apps', 'cli', 'src', name), ...args],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr || run.stdout}`);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, out: run.stdout };
  };
  let api: ReturnType<typeof spawn> | undefined;
  try {
    cli('migrate.js');
    cli('admin-create.js', ['--email', ADMIN_EMAIL, '--password', PASSWORD]);
    const seed = readFileSync(join(root, 'bench', 'lists-seed.sql'), 'utf8')
      .replaceAll('{{JOBS}}', String(JOBS))
      .replaceAll('{{HEAVY_JOBS}}', String(HEAVY_JOBS))
      .replaceAll('{{USERS}}', String(USERS))
      .replaceAll('{{ADMIN_EMAIL}}', ADMIN_EMAIL);
    const db = new Client({ connectionString: `${BENCH_SERVER}/${database}` });
    await db.connect();
    const seedStart = Date.now();
    let sizes: Array<{ table: string; rows: number }>;
    let flagCount: number;
    try {
      await db.query(seed);
      await seedAudit(db, Math.floor(JOBS / 3), env.AUDIT_CHAIN_KEY);
      // As autovacuum leaves a settled table: statistics, and the visibility map index-only scans need.
      await db.query('VACUUM ANALYZE');
      sizes = [];
      for (const table of [
        'ai_jobs',
        'credit_holds',
        'credit_entries',
        'files',
        'email_messages',
        'audit_events',
      ])
        sizes.push({
          table,
          rows:
            (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ??
            0,
        });
      flagCount =
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM abuse_flags`)).rows[0]?.n ??
        0;
    } finally {
      await db.end();
    }
    const seedSeconds = (Date.now() - seedStart) / 1000;

    api = spawn(process.execPath, [join(root, 'dist', 'apps', 'api', 'src', 'main.js')], {
      env,
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health/live`);
    const signIn = async (email: string) => {
      const response = await fetch(`${base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      if (!response.ok) throw new Error(`sign-in of ${email}: ${response.status}`);
      const { accessToken } = (await response.json()) as { accessToken: string };
      return { authorization: `Bearer ${accessToken}` };
    };
    const headers = { admin: await signIn(ADMIN_EMAIL), seller: await signIn('heavy1@bench.test') };
    const get = async (who: Row['who'], path: string) => {
      const started = process.hrtime.bigint();
      const response = await fetch(`${base}${path}`, { headers: headers[who] });
      const body = (await response.json()) as {
        data?: Array<{ id: string }>;
        nextCursor?: string | null;
      };
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
      return { ms: Number(process.hrtime.bigint() - started) / 1e6, body };
    };
    const timed = async (who: Row['who'], path: string) => {
      await get(who, path);
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) times.push((await get(who, path)).ms);
      return percentile(times, 50);
    };

    const results: Array<{ label: string; first: number; deep: number | null }> = [];
    for (const row of ROWS) {
      const first = await timed(row.who, row.path);
      // 20 pages deep, by the cursors the API gives.
      let path: string | null = row.path;
      for (let page = 0; page < 20 && path; page += 1) {
        const { body } = await get(row.who, path);
        path = body.nextCursor ? `${row.path}&cursor=${encodeURIComponent(body.nextCursor)}` : null;
      }
      results.push({ label: row.label, first, deep: path ? await timed(row.who, path) : null });
    }

    // Paging through rows that share one instant: every flag must be seen once.
    const seenFlags = new Set<string>();
    let flagPath: string | null = '/v1/admin/abuse/flags?limit=7';
    while (flagPath) {
      const { body } = await get('admin', flagPath);
      for (const flag of body.data ?? []) seenFlags.add(flag.id);
      flagPath = body.nextCursor
        ? `/v1/admin/abuse/flags?limit=7&cursor=${encodeURIComponent(body.nextCursor)}`
        : null;
    }
    const verify = [
      cli('ledger-verify.js').ms,
      cli('ledger-verify.js').ms,
      cli('ledger-verify.js').ms,
    ];

    const cpu = cpus();
    console.log(
      `\nbench:lists — Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    );
    console.log(
      `seeded in ${seedSeconds.toFixed(0)} s: ${sizes.map((r) => `${r.table} ${r.rows}`).join(', ')}`,
    );
    console.log(
      `${'endpoint (p50 of 5, ms)'.padEnd(34)}${'page 1'.padStart(9)}${'page 21'.padStart(9)}`,
    );
    for (const { label, first, deep } of results)
      console.log(
        `${label.padEnd(34)}${first.toFixed(1).padStart(9)}${(deep === null ? '-' : deep.toFixed(1)).padStart(9)}`,
      );
    console.log(
      `abuse flags paged 7 at a time (groups sharing one instant): ${seenFlags.size} of ${flagCount} seen`,
    );
    console.log(
      `ledger:verify on the whole ledger (3 runs, process included): ${verify.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`,
    );
  } finally {
    api?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await dropBenchDatabase(admin, database, env);
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
