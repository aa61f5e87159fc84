import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { loadConfig } from '../support/config';
import { freePort } from '../support/free-port';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one unlabelled (or exactly labelled) sample line; undefined when absent. */
function sample(text: string, line: string): number | undefined {
  const match = text.split('\n').find((l) => l.startsWith(`${line} `));
  return match === undefined ? undefined : Number(match.slice(line.length + 1));
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * The worker verifies the ledger on its schedule (LEDGER_VERIFY_INTERVAL_MS) and reports it in
 * its /metrics, which the verifier alerts read. On a database of its own: the test breaks the
 * ledger on purpose.
 */
describe('the scheduled ledger verification', () => {
  let db: SuiteDatabase;
  let worker: WorkerApp;
  let port: number;

  beforeAll(async () => {
    db = await suiteDatabase('ledger_verify');
    port = await freePort();
    worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        DATABASE_URL: db.url,
        REDIS_KEY_PREFIX: suitePrefix('ledger-verify'),
        WORKER_HEALTH_PORT: String(port),
        HOST: '127.0.0.1',
        LEDGER_VERIFY_INTERVAL_MS: '1000',
      }),
    );
  });

  afterAll(async () => {
    await worker?.close();
    await db?.drop();
  });

  it('reports a clean run, then the violation of a balance no entry explains', async () => {
    const started = Date.now() / 1000;
    await until('a clean verification in /metrics', async () => {
      const text = await scrape(port);
      return (
        (sample(text, 'jewelshot_ledger_verifier_last_run_timestamp_seconds') ?? 0) >= started &&
        (sample(text, 'jewelshot_ledger_verifier_runs_total{outcome="clean"}') ?? 0) >= 1
      );
    });
    expect(sample(await scrape(port), 'jewelshot_ledger_verifier_violations')).toBe(0);

    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.all_users', 'on', true)`);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO users (email, password_hash) VALUES ('broken@example.test', 'x') RETURNING id::text`,
      );
      // Five credits out of nowhere: no entry adds up to them.
      await client.query(
        `INSERT INTO credit_accounts (user_id, balance, reserved) VALUES ($1, 5, 0)
         ON CONFLICT (user_id) DO UPDATE SET balance = 5`,
        [rows[0]?.id],
      );
      await client.query('COMMIT');
    } finally {
      await client.end();
    }

    await until('the violation in /metrics', async () => {
      const text = await scrape(port);
      return (
        (sample(text, 'jewelshot_ledger_verifier_violations') ?? 0) >= 1 &&
        (sample(text, 'jewelshot_ledger_verifier_runs_total{outcome="violations"}') ?? 0) >= 1
      );
    });
  });
});
