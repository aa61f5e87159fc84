/**
 * Creates an admin, or promotes an existing user to admin. Idempotent.
 * Usage: npm run admin:create -- --email <email> --password <password>
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { TransactionHost } from '@nestjs-cls/transactional';
import { AuditService } from '@jewelshot/audit';
import { AuthService, UsersService } from '@jewelshot/identity';
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
    // On the record like every admin change: the promotion and its audit event commit together.
    const { user, created } = await app.get(TransactionHost).withTransaction(async () => {
      const existing = await app.get(UsersService).findByEmail(email);
      const result = await app.get(AuthService).ensureAdmin(email, password);
      await app.get(AuditService).record(
        {
          actorId: null,
          actorEmail: null,
          ip: null,
          userAgent: 'cli:admin-create',
          requestId: null,
        },
        {
          action: result.created ? 'user.create-admin' : 'user.promote',
          targetType: 'user',
          targetId: result.user.id,
          reason: 'npm run admin:create',
          before: existing ? { role: existing.role } : null,
          after: { role: 'admin' },
        },
      );
      return result;
    });
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
