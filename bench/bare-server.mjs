// The floor for bench:http: a bare Fastify server answering the same JSON as our routes,
// with no Nest, no auth, no database.
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 38080);
const me = JSON.parse(process.env.BARE_ME_BODY ?? '{}');
const app = Fastify({ logger: false });
app.get('/health/live', async () => ({ status: 'ok' }));
app.get('/v1/me', async () => me);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
