import type { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Pool, QueryResult } from 'pg';
import { QueryFailedError } from 'typeorm';

/**
 * The rows of one statement, run where the caller stands: inside the caller's transaction when
 * one is active (through the transaction host's manager, as any repository call), else on the
 * data source's own pg pool: what TypeORM does for a statement outside a transaction (a pooled
 * connection, the statement, the connection given back) without its query runner, whose
 * per-call objects, promises and timers cost more than the statement on a hot read (`GET
 * /v1/me`, docs/perf/). Failed and slow statements reach the data source's logger as they do
 * through TypeORM, and a failure is the same `QueryFailedError`.
 */
export async function queryRows(
  txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  sql: string,
  parameters: unknown[],
): Promise<Record<string, unknown>[]> {
  const manager = txHost.tx;
  if (txHost.isTransactionActive()) {
    return (await manager.query(sql, parameters)) as Record<string, unknown>[];
  }
  const source = manager.connection;
  const pool = (source.driver as unknown as { master: Pool }).master;
  const started = performance.now();
  let result: QueryResult<Record<string, unknown>>;
  try {
    result = await pool.query<Record<string, unknown>>(sql, parameters);
  } catch (error) {
    source.logger.logQueryError(error as Error, sql, parameters);
    throw new QueryFailedError(sql, parameters, error as Error);
  }
  const elapsed = performance.now() - started;
  const slowAfter = source.options.maxQueryExecutionTime;
  if (slowAfter && elapsed > slowAfter) source.logger.logQuerySlow(elapsed, sql, parameters);
  return result.rows;
}
