/**
 * npm run bench:webhooks — 1,000 events to a local receiver through the whole path: a domain
 * event published in its transaction (`credit-ledger.credits-low`) → outbox dispatcher →
 * webhook fan-out (a `webhook_events` row) → `webhooks` queue → deliverer (address policy,
 * Standard Webhooks signature, HTTP POST) → receiver. Figures: deliveries per second and the p99
 * of event-to-delivery latency (commit of the event → the receiver has the request). Then the
 * same with a receiver that answers 500 to 30 % of requests at random (a short retry schedule):
 * every event must arrive, counted by webhook-id. In-process worker, throwaway database and
 * Redis prefix. Figures, not assertions.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { CreditsLow } from '@jewelshot/credit-ledger';
import { UsersService } from '@jewelshot/identity';
import { Events } from '@jewelshot/platform';
import { WebhookEndpoints } from '@jewelshot/webhooks';
import { DataSource } from 'typeorm';
import { createWorker } from '../apps/worker/src/bootstrap';
import { loadWorkerConfigOrExit } from '../apps/worker/src/worker.config';
import { migrationDataSource } from '../migrations/data-source';
import { benchApiEnv, createBenchDatabase, dropBenchDatabase } from './support';

const COUNT = Number(process.env.BENCH_WEBHOOKS ?? 1000);
const PUBLISHERS = 8;

interface Receiver {
  url: string;
  /** First 2xx answer per webhook-id, with when it was received. */
  delivered: Map<string, number>;
  requests: () => number;
  close: () => Promise<void>;
}

async function receiver(failureRate: number): Promise<Receiver> {
  const delivered = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const at = Date.now();
      if (Math.random() < failureRate) {
        res.writeHead(500).end('try again');
        return;
      }
      const id = String(req.headers['webhook-id']);
      if (!delivered.has(id)) delivered.set(id, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    delivered,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Figures {
  delivered: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  /** When the last event was committed / the last webhook_events row written (s from start). */
  published: number;
  fannedOut: number;
}

async function run(env: NodeJS.ProcessEnv, failureRate: number): Promise<Figures> {
  const target = await receiver(failureRate);
  const worker = await createWorker(loadWorkerConfigOrExit(env));
  try {
    const app = worker.context;
    const user = await app
      .get(UsersService)
      .create(`bench-${Date.now()}@example.test`, 'not-a-real-hash');
    await app.get(WebhookEndpoints).create(user.id, { url: target.url, events: ['credits.low'] });
    const txHost = app.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
    const events = app.get(Events);
    const committedAt = new Map<string, number>();
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PUBLISHERS }, async () => {
        while (next < COUNT) {
          next += 1;
          const id = await txHost.withTransaction(() =>
            events.publish(new CreditsLow({ userId: user.id, available: 1, threshold: 2 })),
          );
          committedAt.set(`msg_${id.replace(/-/g, '')}`, Date.now());
        }
      }),
    );
    const published = (Date.now() - started) / 1000;
    const until = Date.now() + 10 * 60_000;
    let fannedOut = 0;
    const db = app.get(DataSource);
    while (target.delivered.size < COUNT && Date.now() < until) {
      if (!fannedOut) {
        const [row] = (await db.query(
          `SELECT count(*)::int AS n FROM webhook_events WHERE user_id = $1`,
          [user.id],
        )) as Array<{ n: number }>;
        if (row?.n === COUNT) fannedOut = (Date.now() - started) / 1000;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const last = Math.max(...target.delivered.values());
    const latencies = [...target.delivered.entries()]
      .map(([id, at]) => at - (committedAt.get(id) ?? at))
      .sort((a, b) => a - b);
    const pick = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
    const seconds = (last - started) / 1000;
    return {
      delivered: [...target.delivered.keys()].filter((id) => committedAt.has(id)).length,
      requests: target.requests(),
      perSecond: target.delivered.size / seconds,
      p50Ms: pick(0.5),
      p99Ms: pick(0.99),
      seconds,
      published,
      fannedOut,
    };
  } finally {
    await worker.close();
    await target.close();
  }
}

async function main(): Promise<void> {
  const { database, admin } = await createBenchDatabase();
  const base = {
    ...benchApiEnv(database, 0, 'silent'),
    // Loopback receivers: private targets must be allowed, which production refuses.
    NODE_ENV: 'development',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    EVENTS_POLL_MS: '50',
    WEBHOOK_CONCURRENCY: '50',
    // The default: the bench's events all belong to one user, so this is its bound.
    WEBHOOK_USER_CONCURRENCY: '10',
  };
  try {
    const source = await migrationDataSource(base.DATABASE_URL).initialize();
    await source.runMigrations({ transaction: 'each' });
    await source.destroy();
    const healthy = await run({ ...base, REDIS_KEY_PREFIX: `${base.REDIS_KEY_PREFIX}ok:` }, 0);
    const flaky = await run(
      {
        ...base,
        REDIS_KEY_PREFIX: `${base.REDIS_KEY_PREFIX}flaky:`,
        // Twelve retries 100 ms apart: a loss would need 13 failures in a row (0.3^13).
        WEBHOOK_RETRY_SCHEDULE: Array.from({ length: 12 }, () => '100ms').join(','),
      },
      0.3,
    );
    const line = (name: string, f: Figures) =>
      `${name.padEnd(30)} ${String(f.delivered).padStart(5)}/${COUNT} delivered (${f.requests} requests)  ${f.perSecond.toFixed(0).padStart(5)} deliveries/s   event→delivery p50 ${f.p50Ms.toFixed(0).padStart(5)} ms  p99 ${f.p99Ms.toFixed(0).padStart(5)} ms   (all committed at ${f.published.toFixed(1)} s, fanned out at ${f.fannedOut ? f.fannedOut.toFixed(1) : '?'} s, delivered at ${f.seconds.toFixed(1)} s)`;
    process.stdout.write(
      [
        `bench:webhooks — ${COUNT} events, ${PUBLISHERS} publishers, WEBHOOK_CONCURRENCY=50, WEBHOOK_USER_CONCURRENCY=${base.WEBHOOK_USER_CONCURRENCY} (every event is one user's), ${cpus().length} CPUs`,
        line('receiver answering 2xx', healthy),
        line('receiver failing 30 % at random', flaky),
        `lost: ${COUNT - healthy.delivered} and ${COUNT - flaky.delivered} (by webhook-id)`,
        '',
      ].join('\n'),
    );
  } finally {
    await dropBenchDatabase(admin, database, base);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:webhooks failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
