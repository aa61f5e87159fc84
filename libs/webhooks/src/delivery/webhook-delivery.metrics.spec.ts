import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Target } from './address-policy';
import { postTo } from './http-post';
import { attemptOutcome } from './webhook-delivery.metrics';

const answer = (status: number | null, timedOut?: boolean) => ({
  status,
  body: null,
  error: status === null ? 'no answer' : null,
  durationMs: 1,
  ...(timedOut === undefined ? {} : { timedOut }),
});

describe('attemptOutcome', () => {
  it('names a 2xx succeeded and every other answer failed, redirects included', () => {
    expect(attemptOutcome(answer(200))).toBe('succeeded');
    expect(attemptOutcome(answer(204))).toBe('succeeded');
    expect(attemptOutcome(answer(302))).toBe('failed');
    expect(attemptOutcome(answer(404))).toBe('failed');
    expect(attemptOutcome(answer(500))).toBe('failed');
  });

  it('tells a timeout from a receiver that could not be reached', () => {
    expect(attemptOutcome(answer(null, true))).toBe('timeout');
    expect(attemptOutcome(answer(null))).toBe('unreachable');
  });
});

describe('postTo, as the outcomes see it', () => {
  let server: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts connections and never answers.
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const target = (port: number): Target => ({
    url: new URL(`http://127.0.0.1:${port}/hook`),
    address: { address: '127.0.0.1', family: 4 },
  });

  it('is a timeout when the receiver accepts and never answers', async () => {
    const { port } = server.address() as AddressInfo;
    const outcome = await postTo(target(port), {}, '{}', 200);
    expect(outcome).toMatchObject({ status: null, timedOut: true });
    expect(attemptOutcome(outcome)).toBe('timeout');
  });

  it('is unreachable when nothing listens', async () => {
    // A port just freed: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const outcome = await postTo(target(port), {}, '{}', 5000);
    expect(outcome.status).toBeNull();
    expect(outcome.timedOut).toBeUndefined();
    expect(attemptOutcome(outcome)).toBe('unreachable');
  });
});
