/**
 * Preloaded (`node -r dist/bench/pg-count-hook.js`) into the API and worker by bench:jobs: counts
 * every statement the process sends through `pg` (TypeORM's BEGIN/COMMIT included) and writes the
 * running total to BENCH_PG_COUNT_FILE ten times a second. Benchmarks only; never in production.
 */
import { writeFileSync } from 'node:fs';
import { Client } from 'pg';

const file = process.env.BENCH_PG_COUNT_FILE;
if (file) {
  let statements = 0;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function countedQuery(this: unknown, ...args: unknown[]) {
    statements += 1;
    return query.apply(this, args);
  };
  setInterval(() => writeFileSync(file, String(statements)), 100).unref();
}
