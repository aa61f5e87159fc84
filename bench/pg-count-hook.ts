/**
 * Preloaded (`node -r dist/bench/pg-count-hook.js`) into the API and worker by bench:jobs: counts
 * every statement the process sends through `pg` (TypeORM's BEGIN/COMMIT included) and, with
 * BENCH_PG_COUNT=1, answers the parent's `pg-statements` message on the IPC channel with the
 * running total (see `statementsSoFar` in bench/jobs.ts). Only when asked: a count written out on
 * a timer would cost the measured processes CPU that the floor, which counts its own statements,
 * does not pay; and not on a signal, which Nest's shutdown hooks take as one to stop. With
 * BENCH_PG_LOG_FILE set it also appends each statement's text (one line each) there, to see
 * which statements a job makes. Benchmarks only; never in production.
 */
import { appendFileSync } from 'node:fs';
import { Client } from 'pg';

const count = process.env.BENCH_PG_COUNT === '1' && typeof process.send === 'function';
const log = process.env.BENCH_PG_LOG_FILE;
if (count || log) {
  let statements = 0;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function countedQuery(this: unknown, ...args: unknown[]) {
    statements += 1;
    if (log) {
      const first = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: string })?.text;
      appendFileSync(log, `${Date.now()} ${String(text).replace(/\s+/g, ' ').slice(0, 300)}\n`);
    }
    return query.apply(this, args);
  };
  if (count) {
    process.on('message', (message) => {
      if (message === 'pg-statements') process.send?.({ pgStatements: statements });
    });
    // The channel alone does not keep the process alive.
    process.channel?.unref();
  }
}
