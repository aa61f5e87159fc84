/**
 * The API as bench:hostile runs it: the production bootstrap in a process of its own, plus an
 * `onResponse` hook that reports Fastify's own elapsed time for each POST to the parent over IPC,
 * so the figure is server time, not the client's clock.
 */
import { loadApiConfig } from '../apps/api/src/api.config';
import { createApiApp } from '../apps/api/src/bootstrap';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApiApp(config);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST' && process.send) {
        process.send({ url: request.url, status: reply.statusCode, ms: reply.elapsedTime });
      }
    });
  await app.listen({ port: config.PORT, host: '127.0.0.1' });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
