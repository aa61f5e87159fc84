/**
 * Creates an admin, or promotes an existing user to admin. Idempotent.
 * Usage: npm run admin:create -- --email <email> --password <password>
 *
 * The email and password must be ones sign-up accepts (admin-credentials.ts); anything else is
 * refused with one line and exit 2. An existing account keeps its password (--password is used
 * only to create one), and the output says so.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { TransactionHost } from '@nestjs-cls/transactional';
import { AuditService } from '@jewelshot/audit';
import { AuthService, UsersService } from '@jewelshot/identity';
import { preflightOrExit } from '@jewelshot/platform';
import { adminEmailOf, adminPasswordProblem } from './admin-credentials';
import { commandArgsOrExit, printable } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';
import { CliModule } from './cli.module';

const USAGE = 'npm run admin:create -- --email <email> --password <10-128 characters>';

function refuse(problem: string): never {
  process.stderr.write(`admin:create: ${problem}\nusage: ${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const values = commandArgsOrExit('admin:create', USAGE, {
    email: { type: 'string' },
    password: { type: 'string' },
  });
  if (values.email === undefined) refuse('--email is required');
  if (values.password === undefined) refuse('--password is required');
  const checked = adminEmailOf(values.email);
  if ('problem' in checked) refuse(checked.problem);
  const { email } = checked;
  const password = values.password;
  const passwordProblem = adminPasswordProblem(password);
  if (passwordProblem) refuse(passwordProblem);
  const config = loadCliConfigOrExit();
  await preflightOrExit(config, { redis: false });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    // On the record like every admin change: the promotion and its audit event commit together.
    // An account that was an admin already is left as it was, and nothing is recorded.
    const { user, created, before } = await app.get(TransactionHost).withTransaction(async () => {
      const existing = await app.get(UsersService).findByEmail(email);
      const result = await app.get(AuthService).ensureAdmin(email, password);
      if (existing?.role === 'admin') return { ...result, before: existing.role };
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
      return { ...result, before: existing?.role };
    });
    process.stdout.write(
      created
        ? `Created admin: ${user.email} (${user.id})\n`
        : `${before === 'admin' ? 'Already an admin' : 'Promoted to admin'}: ${user.email} (${user.id}). ` +
            'Its password was left unchanged: --password sets the password only of an account this command creates.\n',
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `admin:create failed: ${printable(error instanceof Error ? error.message : String(error))}\n`,
  );
  process.exit(1);
});
