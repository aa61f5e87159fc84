import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { QueryLogger } from '../logging/query-logger';
import { codeRoot } from '../repo-root';
import { rowAccessStartupOptions, type RowAccess } from './row-access';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  /** How long a query may wait for a free pool connection before it fails (ms). */
  connectTimeoutMs?: number;
  applicationName: string;
  /** Which rows of the user-owned tables this process's connections may see. */
  rowAccess: RowAccess;
}

/** Every entity of every lib; the DataSource, the migration CLI and the drift check share it. */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

/**
 * The one description of our database connection. `synchronize` is never on: the schema
 * changes only through the migrations in `migrations/`.
 */
export function dataSourceOptions(
  settings: DatabaseSettings,
  entities: EntityList,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities,
    // Compiled migrations under dist/ when built, the TypeScript ones when run from sources.
    migrations: [
      join(codeRoot(), 'migrations', `[0-9]*-*.${__filename.endsWith('.ts') ? 'ts' : 'js'}`),
    ],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    // Failed and slow queries through our logger, never with their parameters.
    logger: new QueryLogger(),
    maxQueryExecutionTime: 2000,
    // gen_random_uuid() is built into PostgreSQL 13+; the migrations own every extension.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    applicationName: settings.applicationName,
    // One pg pool per process, sized by DB_POOL_SIZE.
    poolSize: settings.poolSize,
    extra: {
      connectionTimeoutMillis: settings.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
      options: rowAccessStartupOptions(settings.rowAccess),
    },
  };
}
