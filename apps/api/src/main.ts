import { loadConfigOrExit, preflightOrExit } from '@jewelshot/platform';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await preflightOrExit(config);
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `API failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
