import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { loggableError } from './loggable-error';

/** Longest SQL text kept on a line; the statement names the query, its parameters never appear. */
const MAX_SQL_CHARS = 2000;

/**
 * TypeORM's logger, through ours. A failing query is logged with its SQL (placeholders only)
 * and a scrubbed error, never its parameters: TypeORM's own loggers append them, and they
 * hold password hashes, tokens and emails.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {
    // Every statement would drown the log; failures and slow ones are what matter.
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn(
      { err: loggableError(error), sql: query.slice(0, MAX_SQL_CHARS) },
      'query failed',
    );
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, sql: query.slice(0, MAX_SQL_CHARS) }, 'slow query');
  }

  logSchemaBuild(): void {
    // synchronize is never on.
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  // TypeORM's chatter (which migration files it found) is dropped; its warnings stay warnings.
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(typeof message === 'string' ? message : String(message));
  }
}
