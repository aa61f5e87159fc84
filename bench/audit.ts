/**
 * npm run bench:audit — audit appends per second through AuditService.record (each in its own
 * transaction: advisory lock, head read, hash, insert) at 1, 8 and 32 concurrent admins, and in
 * the same run plain inserts of the same rows into an unchained copy of the table (no lock, no
 * head read, no hash); then how long the verifier takes to walk 100,000 events. Figures, not
 * assertions.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Pool } from 'pg';
import { AuditService, AuditVerifier, type AuditActor } from '@jewelshot/audit';
import { repoRoot } from '@jewelshot/platform';
import { loadApiConfig } from '../apps/api/src/api.config';
import { CliModule } from '../apps/cli/src/cli.module';
import { extendAuditChain } from './audit-chain';

const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = [1, 8, 32];
const VERIFY_EVENTS = Number(process.env.BENCH_AUDIT_VERIFY_EVENTS ?? 100_000);

const ACTOR: AuditActor = {
  actorId: '00000000-0000-4000-8000-000000000001',
  actorEmail: 'bench-admin@example.test',
  ip: '127.0.0.1',
  userAgent: 'bench',
  requestId: 'bench-request-0001',
};
const CHANGE = {
  action: 'credits.adjust',
  targetType: 'user',
  targetId: '00000000-0000-4000-8000-000000000002',
  reason: 'bench',
  before: { balance: 3, reserved: 0, available: 3 },
  after: { balance: 8, reserved: 0, available: 8 },
};

/** Runs `op` in `concurrency` loops for SECONDS; returns operations per second. */
async function measure(concurrency: number, op: () => Promise<unknown>): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await op();
        done += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return done / seconds;
}

async function main(): Promise<void> {
  const database = `jewelshot_bench_audit_${Date.now()}`;
  const url = `${SERVER}/${database}`;
  const admin = new Pool({ connectionString: `${SERVER}/postgres`, max: 1 });
  await admin.query(`CREATE DATABASE "${database}"`);
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    DB_POOL_SIZE: '34',
    LOG_LEVEL: 'silent',
  };
  const migrated = spawnSync(
    process.execPath,
    [join(repoRoot(), 'dist', 'apps', 'cli', 'src', 'migrate.js')],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  const config = loadApiConfig(env);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: false,
  });
  const raw = new Pool({ connectionString: url, max: 4 });
  try {
    const audit = app.get(AuditService);
    const txHost = app.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
    await txHost.tx.query(`CREATE TABLE audit_events_plain (LIKE audit_events INCLUDING ALL)`);
    await txHost.tx.query(`CREATE SEQUENCE audit_events_plain_seq`);
    const chained = () => txHost.withTransaction(() => audit.record(ACTOR, CHANGE));
    const plain = () =>
      txHost.withTransaction(() =>
        txHost.tx.query(
          `INSERT INTO audit_events_plain (seq, occurred_at, actor_id, actor_email, action,
             target_type, target_id, outcome, reason, before, after, ip, user_agent, request_id,
             prev_hash, hash, seal)
           VALUES (nextval('audit_events_plain_seq'), now(), $1, $2, $3, $4, $5, 'succeeded', $6,
             $7::jsonb, $8::jsonb, $9, $10, $11, '', '', '')`,
          [
            ACTOR.actorId,
            ACTOR.actorEmail,
            CHANGE.action,
            CHANGE.targetType,
            CHANGE.targetId,
            CHANGE.reason,
            JSON.stringify(CHANGE.before),
            JSON.stringify(CHANGE.after),
            ACTOR.ip,
            ACTOR.userAgent,
            ACTOR.requestId,
          ],
        ),
      );

    console.log(
      `bench:audit on ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB; ${SECONDS} s per figure`,
    );
    console.log('admins | chained appends/s | plain inserts/s | chained/plain');
    for (const concurrency of CONCURRENCY) {
      const ours = await measure(concurrency, chained);
      const floor = await measure(concurrency, plain);
      console.log(
        `${String(concurrency).padStart(6)} | ${ours.toFixed(0).padStart(17)} | ${floor.toFixed(0).padStart(15)} | ${(ours / floor).toFixed(2)}`,
      );
    }

    // Extend the chain to VERIFY_EVENTS rows in bulk (hashes computed as the service does).
    await extendAuditChain(raw, VERIFY_EVENTS, config.AUDIT_CHAIN_KEY, () => ({
      occurredAt: new Date(),
      actorId: ACTOR.actorId,
      actorEmail: ACTOR.actorEmail,
      action: CHANGE.action,
      targetType: CHANGE.targetType,
      targetId: CHANGE.targetId,
      outcome: 'succeeded',
      reason: CHANGE.reason,
      details: null,
      before: CHANGE.before,
      after: CHANGE.after,
      ip: ACTOR.ip,
      userAgent: ACTOR.userAgent,
      requestId: ACTOR.requestId,
    }));
    const started = process.hrtime.bigint();
    const report = await app.get(AuditVerifier).verify();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `audit:verify walked ${report.events} events in ${(ms / 1000).toFixed(2)} s (${Math.round(report.events / (ms / 1000))} events/s), ok=${report.ok}`,
    );
  } finally {
    await raw.end();
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
