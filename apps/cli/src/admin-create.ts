/**
 * Creates an admin, or promotes an existing user to admin. Idempotent.
 * Usage: npm run admin:create -- --email <email> --password <password>
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AuthService } from '@jewelshot/identity';
import { preflightOrExit } from '@jewelshot/platform';
import { loadCliConfigOrExit } from './cli.config';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, password: { type: 'string' } },
  });
  const { email, password } = values;
  if (
    !email ||
    !/^[^@\s]+@[^@\s]+$/.test(email) ||
    !password ||
    password.length < 10 ||
    password.length > 128
  ) {
    process.stderr.write(
      'usage: npm run admin:create -- --email <email> --password <10-128 characters>\n',
    );
    process.exit(2);
  }
  const config = loadCliConfigOrExit();
  await preflightOrExit(config, { redis: false });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const { user, created } = await app.get(AuthService).ensureAdmin(email, password);
    process.stdout.write(
      `${created ? 'Created admin' : 'Admin ready'}: ${user.email} (${user.id})\n`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `admin:create failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
