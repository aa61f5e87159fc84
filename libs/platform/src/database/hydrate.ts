import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Turns rows a raw statement returned (`UPDATE ... RETURNING *`, a hand-written `SELECT`) into
 * entities, through the entity's own column metadata and the driver's conversions: the same
 * objects a repository read would give, without building a query per call. Columns the rows do
 * not carry stay unset.
 */
export function hydrate<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly Record<string, unknown>[],
): T[] {
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  return rows.map((row) => {
    const entity = metadata.create() as T;
    for (const column of metadata.columns) {
      if (!(column.databaseName in row)) continue;
      column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return entity;
  });
}
