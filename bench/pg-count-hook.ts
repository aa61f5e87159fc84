/**
 * Preloaded (`node -r dist/bench/pg-count-hook.js`) into the API and worker by bench:jobs: counts
 * every statement the process sends through `pg` (TypeORM's BEGIN/COMMIT included) and writes the
 * running total to BENCH_PG_COUNT_FILE ten times a second. With BENCH_PG_LOG_FILE set it also
 * appends each statement's text (one line each) there, to see which statements a job makes.
 * Benchmarks only; never in production.
 */
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';

const file = process.env.BENCH_PG_COUNT_FILE;
const log = process.env.BENCH_PG_LOG_FILE;
if (file || log) {
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
  // Written aside and renamed over: a reader never sees the file empty halfway through a write.
  if (file)
    setInterval(() => {
      writeFileSync(`${file}.next`, String(statements));
      renameSync(`${file}.next`, file);
    }, 100).unref();
}
