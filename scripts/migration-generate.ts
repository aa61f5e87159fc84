/**
 * Writes migrations/<timestamp>-<Name>.ts from the difference between the entities and the
 * database at DATABASE_URL (migrate it first). Review the SQL by hand before committing.
 * Usage: npm run migration:generate -- <Name>
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit, repoRoot } from '@jewelshot/platform';
import { migrationDataSource } from '../migrations/data-source';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    process.stderr.write('usage: npm run migration:generate -- <PascalCaseName>\n');
    process.exit(2);
  }
  const config = loadConfigOrExit([]);
  const dataSource = await migrationDataSource(config.DATABASE_URL).initialize();
  try {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      process.stdout.write('No changes: the entities and the database agree.\n');
      return;
    }
    const stamp = Date.now();
    const quote = (query: string) => `    await queryRunner.query(${JSON.stringify(query)});`;
    const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${stamp} implements MigrationInterface {
  name = '${name}${stamp}';

  async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map((q) => quote(q.query)).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${sql.downQueries
  .reverse()
  .map((q) => quote(q.query))
  .join('\n')}
  }
}
`;
    const file = join(repoRoot(), 'migrations', `${stamp}-${name}.ts`);
    writeFileSync(file, body);
    process.stdout.write(`Wrote migrations/${stamp}-${name}.ts\n`);
  } finally {
    await dataSource.destroy();
  }
}

void main();
