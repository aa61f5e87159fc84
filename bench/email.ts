/**
 * npm run bench:email — 2,000 messages through EmailService.enqueue → outbox → `email` queue →
 * worker, once to the outbox driver and once to a local fake of Resend's API (the real SDK),
 * beside raw BullMQ add-and-process of the same count in the same run: messages per second and
 * the p99 of enqueue-to-sent. In-process worker (production mode), a throwaway database and
 * Redis prefix, the send limiter lifted (EMAIL_SEND_RATE_PER_SECOND) so the pipeline itself is
 * measured. Figures, not assertions.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Client } from 'pg';
import { EmailService } from '@jewelshot/email';
import { createWorker } from '../apps/worker/src/bootstrap';
import { loadWorkerConfigOrExit } from '../apps/worker/src/worker.config';
import { migrationDataSource } from '../migrations/data-source';
import { BENCH_SERVER, benchApiEnv, createBenchDatabase, dropBenchDatabase } from './support';

const COUNT = Number(process.env.BENCH_EMAILS ?? 2000);
const ENQUEUERS = 16;

interface Figures {
  perSecond: number;
  p99Ms: number;
  seconds: number;
}

/** Enough of Resend's POST /emails for the SDK: 200 with a new id, idempotent on the key. */
async function fakeResend(): Promise<{ url: string; close: () => Promise<void> }> {
  const seen = new Map<string, string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? randomUUID());
      const id = seen.get(key) ?? randomUUID();
      seen.set(key, id);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function pipeline(env: NodeJS.ProcessEnv, db: Client, label: string): Promise<Figures> {
  const worker = await createWorker(loadWorkerConfigOrExit(env));
  try {
    const email = worker.context.get(EmailService);
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: ENQUEUERS }, async () => {
        while (next < COUNT) {
          next += 1;
          await email.enqueue({
            template: 'batch-finished',
            to: `bench-${randomUUID()}@example.test`,
            userId: randomUUID(),
            data: { batchId: randomUUID(), total: 3, succeeded: 3, failed: 0 },
          });
        }
      }),
    );
    const query = `SELECT count(*)::int AS sent,
                    percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at) * 1000) AS p99
               FROM email_messages WHERE status = 'sent' AND subject <> $1`;
    for (;;) {
      const [row] = (
        await db.query(`SELECT count(*)::int AS n FROM email_messages WHERE status = 'queued'`)
      ).rows as Array<{ n: number }>;
      if (row?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const [figures] = (await db.query(query, [label])).rows as Array<{ sent: number; p99: number }>;
    // Mark this run's rows so the next run's figures are its own.
    await db.query(`UPDATE email_messages SET subject = $1 WHERE subject <> $1`, [label]);
    return { perSecond: COUNT / seconds, p99Ms: Number(figures?.p99 ?? 0), seconds };
  } finally {
    await worker.close();
  }
}

async function rawBullmq(connection: { url: string }, prefix: string): Promise<Figures> {
  const queue = new Queue('bench-raw', { connection, prefix });
  const added = new Map<string, number>();
  const latencies: number[] = [];
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker(
    'bench-raw',
    async (job) => {
      latencies.push(Date.now() - (added.get(job.id ?? '') ?? Date.now()));
      done += 1;
      if (done === COUNT) finish();
    },
    { connection, prefix, concurrency: 4 },
  );
  const started = Date.now();
  for (let i = 0; i < COUNT; i += 1) {
    const id = `raw-${i}`;
    added.set(id, Date.now());
    await queue.add('raw', {}, { jobId: id, removeOnComplete: true });
  }
  await finished;
  const seconds = (Date.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  latencies.sort((a, b) => a - b);
  return { perSecond: COUNT / seconds, p99Ms: latencies[Math.floor(COUNT * 0.99)] ?? 0, seconds };
}

async function main(): Promise<void> {
  const { database, admin } = await createBenchDatabase();
  const outbox = await mkdtemp(join(tmpdir(), 'jewelshot-bench-outbox-'));
  const fake = await fakeResend();
  const base = {
    ...benchApiEnv(database, 0, 'silent'),
    EMAIL_TOKEN_SECRET: 'bench-email-token-secret-0123456789-abcdef',
    APP_BASE_URL: 'https://app.jewelshot.example',
    EVENTS_POLL_MS: '50',
    EMAIL_SEND_RATE_PER_SECOND: '10000',
    EMAIL_MAX_PER_HOUR_PER_TYPE: '10000',
    OUTBOX_DIR: outbox,
  };
  const db = new Client({ connectionString: `${BENCH_SERVER}/${database}` });
  try {
    const source = await migrationDataSource(base.DATABASE_URL).initialize();
    await source.runMigrations({ transaction: 'each' });
    await source.destroy();
    await db.connect();
    const outboxFigures = await pipeline(
      { ...base, REDIS_KEY_PREFIX: `${base.REDIS_KEY_PREFIX}outbox:` },
      db,
      'bench-run-outbox',
    );
    const resendFigures = await pipeline(
      {
        ...base,
        REDIS_KEY_PREFIX: `${base.REDIS_KEY_PREFIX}resend:`,
        EMAIL_DRIVER: 'resend',
        RESEND_API_KEY: 're_bench',
        RESEND_BASE_URL: fake.url,
      },
      db,
      'bench-run-resend',
    );
    const raw = await rawBullmq({ url: base.REDIS_URL }, `${base.REDIS_KEY_PREFIX}raw`);
    const line = (name: string, f: Figures) =>
      `${name.padEnd(34)} ${f.perSecond.toFixed(0).padStart(6)} msg/s   p99 enqueue→sent ${f.p99Ms.toFixed(0).padStart(6)} ms   (${f.seconds.toFixed(1)} s)`;
    process.stdout.write(
      [
        `bench:email — ${COUNT} messages, ${ENQUEUERS} enqueuers, ${cpus().length} CPUs`,
        line('EmailService → outbox driver', outboxFigures),
        line('EmailService → fake Resend (SDK)', resendFigures),
        line('raw BullMQ add + process', raw),
        '',
      ].join('\n'),
    );
  } finally {
    await db.end().catch(() => undefined);
    await fake.close();
    await rm(outbox, { recursive: true, force: true });
    await dropBenchDatabase(admin, database, base);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:email failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
