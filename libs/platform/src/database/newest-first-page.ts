import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Newest-first keyset pagination over (createdAt, id): stable under inserts, and the cursor is
 * simply the id of the last row of the previous page (`after` is that row, already checked to
 * belong to the caller).
 */
export async function newestFirstPage<T extends ObjectLiteral & { id: string; createdAt: Date }>(
  query: SelectQueryBuilder<T>,
  limit: number,
  after: T | null,
): Promise<Page<T>> {
  const alias = query.alias;
  query
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .take(limit + 1);
  if (after) {
    query.andWhere(`(${alias}.createdAt, ${alias}.id) < (:afterCreatedAt, :afterId)`, {
      afterCreatedAt: after.createdAt,
      afterId: after.id,
    });
  }
  const rows = await query.getMany();
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
}
