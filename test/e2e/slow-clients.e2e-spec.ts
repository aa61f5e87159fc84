import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { newUser } from '../support/factories';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { baseTestEnv } from '../support/test-env';

async function listening(
  overrides: NodeJS.ProcessEnv,
): Promise<{ app: NestFastifyApplication; port: number }> {
  const app = await createApiApp(loadConfig({ ...baseTestEnv(), ...overrides }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}

interface Trickler {
  socket: Socket;
  /** Resolves with ms from connect to close, and what the server wrote back. */
  closed: Promise<{ ms: number; reply: string }>;
  stop: () => void;
}

/** A client that sends `head` and then one more byte of `drip` every `everyMs`, until closed. */
function trickle(port: number, head: string, drip: string, everyMs: number): Trickler {
  const started = Date.now();
  const socket = connect({ port, host: '127.0.0.1' });
  let reply = '';
  let index = 0;
  const timer = setInterval(() => {
    if (socket.writable) socket.write(drip[index % drip.length] ?? 'x');
    index += 1;
  }, everyMs);
  socket.on('connect', () => socket.write(head));
  socket.on('data', (chunk) => {
    reply += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  const closed = new Promise<{ ms: number; reply: string }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, reply });
    });
  });
  return { socket, closed, stop: () => socket.destroy() };
}

describe('slow clients', () => {
  const timeouts = {
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    HTTP_IDLE_TIMEOUT_MS: '1500',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
    // Below the idle timeout, as the API requires.
    REQUEST_DEADLINE_MS: '1400',
  };

  it('closes 300 connections trickling header bytes within the header timeout, and keeps serving', async () => {
    const { app, port } = await listening({
      ...timeouts,
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: '1000',
    });
    const clients: Trickler[] = [];
    try {
      for (let i = 0; i < 300; i += 1)
        clients.push(
          trickle(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'abcdefgh', 900),
        );
      // Bounded: whatever is still open after 10 s is counted as not closed by the server.
      const bound = new Promise<'open'>((resolve) =>
        setTimeout(() => resolve('open'), 10_000).unref(),
      );
      const results = await Promise.all(
        clients.map((client) => Promise.race([client.closed, bound])),
      );
      const stillOpen = results.filter((result) => result === 'open').length;
      expect(stillOpen).toBe(0);
      const times = results.flatMap((result) => (result === 'open' ? [] : [result.ms]));
      // Header timeout (1 s) + the check interval (250 ms) + a generous margin for a busy machine.
      expect(Math.max(...times)).toBeLessThan(1000 + 250 + 3000);
      // Where the socket could still take it, the answer is the one error shape.
      const answered = results.flatMap((result) =>
        result !== 'open' && result.reply.length > 0 ? [result.reply] : [],
      );
      for (const reply of answered)
        expect(reply).toMatch(/^HTTP\/1\.1 408 [^]*"code":"VALIDATION_ERROR"/);
      const res = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(res.status).toBe(200);
    } finally {
      for (const client of clients) client.stop();
      await app.close();
    }
  }, 30_000);

  it('closes a client trickling its body within the request timeout', async () => {
    const { app, port } = await listening({
      ...timeouts,
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: '1000',
    });
    try {
      const client = trickle(
        port,
        'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"email":"',
        'a',
        300,
      );
      const bound = new Promise<'open'>((resolve) =>
        setTimeout(() => resolve('open'), 10_000).unref(),
      );
      const result = await Promise.race([client.closed, bound]);
      client.stop();
      expect(result).not.toBe('open');
      if (result !== 'open') expect(result.ms).toBeLessThan(2000 + 250 + 3000);
    } finally {
      await app.close();
    }
  }, 20_000);

  it('closes a connection that sends nothing', async () => {
    const { app, port } = await listening({
      ...timeouts,
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: '1000',
    });
    try {
      const started = Date.now();
      const socket = connect({ port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      // Flowing, so the server's FIN is read and 'close' follows: a paused socket may never see it.
      socket.resume();
      const closedAfter = await Promise.race([
        new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started))),
        new Promise<number>((resolve) =>
          setTimeout(() => resolve(Number.POSITIVE_INFINITY), 10_000).unref(),
        ),
      ]);
      socket.destroy();
      expect(closedAfter).toBeLessThan(1000 + 3000);
    } finally {
      await app.close();
    }
  }, 20_000);

  it('closes a connection that sends half its headers and then nothing', async () => {
    const { app, port } = await listening({
      ...timeouts,
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: '1000',
    });
    try {
      const client = trickle(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n', '', 60_000);
      const bound = new Promise<'open'>((resolve) =>
        setTimeout(() => resolve('open'), 10_000).unref(),
      );
      const result = await Promise.race([client.closed, bound]);
      client.stop();
      expect(result).not.toBe('open');
      if (result !== 'open') expect(result.ms).toBeLessThan(1500 + 250 + 3000);
    } finally {
      await app.close();
    }
  }, 20_000);

  it('caps the open connections of one address', async () => {
    const { app, port } = await listening({ ...timeouts, HTTP_MAX_CONNECTIONS_PER_ADDRESS: '5' });
    const sockets: Socket[] = [];
    try {
      const closedAt: Array<Promise<boolean>> = [];
      for (let i = 0; i < 8; i += 1) {
        const socket = connect({ port, host: '127.0.0.1' });
        socket.on('error', () => undefined);
        sockets.push(socket);
        closedAt.push(
          Promise.race([
            new Promise<boolean>((resolve) => socket.on('close', () => resolve(true))),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500).unref()),
          ]),
        );
        await new Promise((resolve) => socket.on('connect', resolve));
      }
      // Five held open, the three past the cap closed at once (well before any timeout).
      expect(await Promise.all(closedAt)).toEqual([
        false,
        false,
        false,
        false,
        false,
        true,
        true,
        true,
      ]);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await app.close();
    }
  }, 20_000);

  describe('a body nobody reads', () => {
    // Twice the largest body a route takes: 128 KiB.
    const LIMITS = { BODY_LIMIT_BYTES: '16384', UPLOAD_MAX_BYTES: '65536' };
    const CHUNK = Buffer.alloc(16 * 1024, 0x61);
    /**
     * One write of a body: its bytes as they are, a chunk of them, or one byte of body in a
     * chunk padded with 16,000 bytes of chunk extension (wire bytes a body's length never counts).
     */
    type Framing = 'plain' | 'chunked' | 'padded';
    const FRAMES: Record<Framing, Buffer> = {
      plain: CHUNK,
      chunked: Buffer.concat([
        Buffer.from(`${CHUNK.length.toString(16)}\r\n`),
        CHUNK,
        Buffer.from('\r\n'),
      ]),
      padded: Buffer.from(`1;e=${'x'.repeat(16_000)}\r\na\r\n`),
    };

    /**
     * Sends `head`, then body chunks as fast as the socket takes them (HTTP chunked framing when
     * `chunked`) up to `total` bytes, then `after`; says what came back, whether the server
     * closed the connection (waiting at most 3 s after the last write), and how much body the
     * client had handed over when it did.
     */
    async function send(
      port: number,
      head: string | Buffer,
      total: number,
      options: { framing?: Framing; after?: string } = {},
    ): Promise<{ reply: string; closed: boolean; written: number; stalled: boolean }> {
      const socket = connect({ port, host: '127.0.0.1' });
      let reply = '';
      let closed = false;
      socket.on('data', (chunk) => {
        reply += chunk.toString('latin1');
      });
      socket.on('error', () => undefined);
      const gone = new Promise<void>((resolve) =>
        socket.on('close', () => {
          closed = true;
          resolve();
        }),
      );
      const wait = (ms: number) =>
        new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ms).unref());
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(head);
      let written = 0;
      // The server neither reading nor closing for 5 s: stalled (it waits for its timeout).
      let stalled = false;
      while (written < total && !closed && !stalled) {
        const framed = FRAMES[options.framing ?? 'plain'];
        const more = socket.write(framed);
        written += framed.length;
        if (!more)
          stalled =
            (await Promise.race([
              new Promise((resolve) => socket.once('drain', resolve)),
              gone,
              wait(5000),
            ])) === 'late';
      }
      if (!closed && !stalled && options.framing && options.framing !== 'plain')
        socket.write('0\r\n\r\n');
      if (!closed && !stalled && options.after) socket.write(options.after);
      await Promise.race([gone, wait(3000)]);
      socket.destroy();
      return { reply, closed, written, stalled };
    }

    const TOTAL = 64 * 1024 * 1024;
    let app: NestFastifyApplication;
    let port: number;

    beforeAll(async () => {
      ({ app, port } = await listening(LIMITS));
    });

    afterAll(async () => {
      await app.close();
    });

    it.each([
      [
        'a declared body past the limit',
        `GET /v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: ${TOTAL}\r\n\r\n`,
        'plain',
        401,
      ],
      [
        'an endless chunked body',
        'GET /v1/me HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        'chunked',
        401,
      ],
      [
        'a chunked body padded with chunk extensions',
        'GET /v1/me HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        'padded',
        401,
      ],
      [
        'the body of a request answered at once, before any hook (a malformed URL)',
        'GET /v1/%zz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        'chunked',
        400,
      ],
    ])(
      'answers, then reads %s only up to the limit and closes',
      async (_what, head, framing, status) => {
        const result = await send(port, head, TOTAL, { framing: framing as Framing });
        expect(result.reply).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(result.closed).toBe(true);
        // Closed long before the client could hand it all over (what the kernel buffers aside).
        expect(result.written).toBeLessThan(TOTAL / 2);
      },
      30_000,
    );

    it('closes a body a parser is reading once its chunk extensions pass the limit on the wire, before any answer', async () => {
      // 16 KB of body, within the JSON limit, is 4 GB on the wire in these chunks.
      const result = await send(
        port,
        'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n',
        TOTAL,
        { framing: 'padded' },
      );
      expect(result.reply).toBe('');
      expect(result.closed).toBe(true);
      expect(result.written).toBeLessThan(TOTAL / 2);
    }, 30_000);

    it('bounds an upload refused at its first part, whose parser stopped reading', async () => {
      const http = () => request(`http://127.0.0.1:${port}`);
      const user = await newUser({ http } as unknown as TestApi, 'unread-upload');
      // A first part named `file` that is no file (no filename): refused at once, 400.
      const boundary = 'x-unread-upload';
      const parts =
        `--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot a file\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="more"; filename="a.png"\r\n` +
        'Content-Type: image/png\r\n\r\n';
      const result = await send(
        port,
        'POST /v1/uploads HTTP/1.1\r\nHost: x\r\n' +
          `Authorization: Bearer ${user.accessToken}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
          `Content-Length: ${parts.length + TOTAL}\r\n\r\n${parts}`,
        TOTAL,
      );
      expect(result.reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(result.stalled).toBe(false);
      expect(result.closed).toBe(true);
      expect(result.written).toBeLessThan(TOTAL / 2);
    }, 30_000);

    it('reads a body within the limit to its end, and the connection takes its next request', async () => {
      // An upload answered 401 before its body was wanted: 96 KiB, within twice UPLOAD_MAX_BYTES.
      const total = 6 * CHUNK.length;
      const result = await send(
        port,
        'POST /v1/uploads HTTP/1.1\r\nHost: x\r\n' +
          `Content-Type: multipart/form-data; boundary=x\r\nContent-Length: ${total}\r\n\r\n`,
        total,
        { after: 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n' },
      );
      expect(result.written).toBe(total);
      expect(result.reply).toMatch(/^HTTP\/1\.1 401 /);
      expect(result.reply).toMatch(/\r\n\r\n[^]*HTTP\/1\.1 200 /);
    }, 30_000);

    it("holds a GET's body to a JSON body's limit: no route takes one", async () => {
      // 112 KiB: within twice UPLOAD_MAX_BYTES, past BODY_LIMIT_BYTES; sent once answered.
      const total = 7 * CHUNK.length;
      const socket = connect({ port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      let reply = '';
      const answered = new Promise<void>((resolve) =>
        socket.on('data', (chunk) => {
          reply += chunk.toString('latin1');
          resolve();
        }),
      );
      const closed = new Promise<boolean>((resolve) => socket.on('close', () => resolve(true)));
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(`GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
      await answered;
      expect(reply).toMatch(/^HTTP\/1\.1 200 /);
      for (let i = 0; i < 7; i += 1) socket.write(CHUNK);
      const bounded = await Promise.race([
        closed,
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000).unref()),
      ]);
      socket.destroy();
      expect(bounded).toBe(true);
    }, 30_000);

    it('adds no listener per request to a connection carrying many pipelined requests with bodies', async () => {
      // The most `close` listeners the server's side of a connection held at once.
      let most = 0;
      const server = app.getHttpServer();
      const watch = (socket: Socket) =>
        socket.on('newListener', (event) => {
          if (event === 'close') most = Math.max(most, socket.listenerCount('close') + 1);
        });
      server.on('connection', watch);
      try {
        const one = 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';
        const result = await send(port, one.repeat(40), 0);
        expect(result.reply.match(/HTTP\/1\.1 (200|503) /g)).toHaveLength(40);
        // Node's and the connection guard's own, whatever the number of requests.
        expect(most).toBeLessThan(5);
      } finally {
        server.off('connection', watch);
      }
    }, 30_000);
  });
});
