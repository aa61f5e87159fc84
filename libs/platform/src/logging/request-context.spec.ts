import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { ClsServiceManager } from 'nestjs-cls';
import { currentRequestId, registerRequestLogging } from './request-context';

/**
 * The request id lives in nestjs-cls's store (the process's one AsyncLocalStorage): it must be
 * there in the handler, after a body that arrived in pieces was read, inside a transaction's
 * nested context (`ifNested: 'inherit'`, as @nestjs-cls/transactional runs one),
 * and nowhere outside a request.
 */
describe('request context', () => {
  let app: FastifyInstance;
  const cls = ClsServiceManager.getClsService();

  beforeAll(async () => {
    let next = 0;
    app = Fastify({ genReqId: () => `req-${(next += 1)}` });
    registerRequestLogging(app);
    // An async hook after it, as the rate limiter is: the context flows through it.
    app.addHook('onRequest', async () => {
      await new Promise((resolve) => setImmediate(resolve));
    });
    app.post('/echo', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const nested = await cls.run({ ifNested: 'inherit' }, async () => {
        await Promise.resolve();
        return currentRequestId();
      });
      return { id: request.id, seen: currentRequestId(), nested, body: request.body };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });

  /** POSTs `{"n":<n>}` in two chunks some milliseconds apart: the body arrives on later events. */
  const post = (n: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const { port } = app.server.address() as AddressInfo;
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/echo',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
        },
      );
      req.on('error', reject);
      req.write('{"n":');
      setTimeout(() => req.end(`${n}}`), 20);
    });

  afterAll(async () => {
    await app.close();
  });

  it('gives the handler its own request id, after the body and inside a nested context', async () => {
    const bodies = (await Promise.all([1, 2, 3].map(post))) as Array<{
      id: string;
      seen: string;
      nested: string;
      body: { n: number };
    }>;
    expect(new Set(bodies.map((body) => body.id)).size).toBe(3);
    for (const body of bodies) {
      expect(body.seen).toBe(body.id);
      expect(body.nested).toBe(body.id);
    }
    expect(bodies.map((body) => body.body.n).sort()).toEqual([1, 2, 3]);
  });

  it('has no request id outside a request', () => {
    expect(currentRequestId()).toBeUndefined();
  });
});
