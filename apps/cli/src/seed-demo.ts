/**
 * Seeds the demo accounts shown in the README. Development only: refuses in production.
 * Existing accounts are left as they are.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AuthService, UsersService } from '@jewelshot/identity';
import { preflightOrExit } from '@jewelshot/platform';
import { commandArgsOrExit } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';
import { CliModule } from './cli.module';

export const DEMO_USERS = [
  { email: 'admin@jewelshot.local', password: 'admin-demo-password', role: 'admin' },
  { email: 'user@jewelshot.local', password: 'user-demo-password', role: 'user' },
] as const;

async function main(): Promise<void> {
  commandArgsOrExit('seed-demo', 'node dist/apps/cli/src/seed-demo.js (run by npm start)', {});
  const config = loadCliConfigOrExit();
  if (config.NODE_ENV === 'production') {
    process.stderr.write('seed:demo refuses to run with NODE_ENV=production\n');
    process.exit(2);
  }
  await preflightOrExit(config, { redis: false });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const auth = app.get(AuthService);
    const users = app.get(UsersService);
    for (const demo of DEMO_USERS) {
      if (await users.findByEmail(demo.email)) continue;
      const { user } = await auth.register(demo.email, demo.password, { verified: true });
      if (demo.role === 'admin') await auth.ensureAdmin(user.email, demo.password);
      process.stdout.write(`Seeded ${demo.role} ${demo.email}\n`);
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `seed:demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
