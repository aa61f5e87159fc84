import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { isUuid } from '../uuid';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Where a page ends: the sort key of its last row. */
export interface PagePosition {
  id: string;
  createdAt: Date;
}

/**
 * Newest-first keyset pagination over (createdAt, id): stable under inserts. By default the
 * cursor is simply the id of the last row of the previous page (`after` is that row, already
 * checked to belong to the caller); `cursorOf` writes another (see positionCursor).
 *
 * The page starts below the cursor row's own `created_at` as the database has it: a JavaScript
 * Date keeps milliseconds, and a column the database fills with `now()` keeps microseconds, so
 * comparing with `after.createdAt` skipped the rows written in the cursor row's millisecond
 * after it (rows of one transaction share their `now()`). Only when the cursor row is gone (a
 * position cursor of a deleted file) is `after.createdAt` the bound.
 */
export async function newestFirstPage<T extends ObjectLiteral & { id: string; createdAt: Date }>(
  query: SelectQueryBuilder<T>,
  limit: number,
  after: PagePosition | null,
  cursorOf: (row: T) => string = (row) => row.id,
): Promise<Page<T>> {
  const alias = query.alias;
  query
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .take(limit + 1);
  if (after) {
    const metadata = query.expressionMap.mainAlias?.metadata;
    const createdAt = metadata?.findColumnWithPropertyName('createdAt')?.databaseName;
    const id = metadata?.findColumnWithPropertyName('id')?.databaseName;
    if (!metadata || !createdAt || !id)
      throw new Error('newestFirstPage needs an entity query with createdAt and id columns');
    const q = (name: string) => query.connection.driver.escape(name);
    const table = metadata.tablePath.split('.').map(q).join('.');
    // The cursor row's own position if it is there, else the one given; one row, computed once
    // (an InitPlan), so the comparison still bounds the index scan (a COALESCE did not).
    const position = `(SELECT p.at, p.id FROM (
        SELECT c.${q(createdAt)} AS at, c.${q(id)} AS id, 0 AS rank FROM ${table} c WHERE c.${q(id)} = :afterId
        UNION ALL SELECT CAST(:afterCreatedAt AS timestamptz), CAST(:afterId AS uuid), 1
      ) p ORDER BY p.rank LIMIT 1)`;
    query.andWhere(`(${alias}.createdAt, ${alias}.id) < ${position}`, {
      afterCreatedAt: after.createdAt,
      afterId: after.id,
    });
  }
  const rows = await query.getMany();
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

/**
 * A cursor naming the position of a page's last row, not the row itself: for a list whose rows
 * may be deleted between two pages (a seller's files), where an id cursor would stop working
 * once its row is gone. Opaque to clients like the id cursors; it only moves within the rows the
 * query already restricts to the caller, so it needs no owner check.
 */
export function positionCursor(row: PagePosition): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

/** The position a positionCursor names, or null when the text is no such cursor. */
export function readPositionCursor(cursor: string): PagePosition | null {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !at || !id || !isUuid(id)) return null;
  const createdAt = new Date(at);
  // A date no page wrote (before 1970, or past year 9999) is no cursor: PostgreSQL refuses
  // years its timestamps cannot hold, and the query would fail rather than answer 400.
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) return null;
  if (createdAt.getTime() < 0 || !/^\d{4}-/.test(at)) return null;
  return { id, createdAt };
}
