import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FILE_STORAGE, FilesService, StoredFile, type FileStorage } from '@jewelshot/ai-jobs';
import { loadConfig } from '../support/config';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { baseTestEnv } from '../support/test-env';

/**
 * A download whose reader stops reading must not hold its socket (and the file's stream)
 * forever: once the kernel buffers are full nothing moves either way, and the idle timeout
 * (HTTP_IDLE_TIMEOUT_MS) closes the connection.
 */
describe('a stalled download', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  afterEach(async () => {
    await app?.close();
    await db?.destroy();
  });

  it('is closed by the server within the idle timeout once the client stops reading', async () => {
    const config = loadConfig({
      ...baseTestEnv(),
      HTTP_IDLE_TIMEOUT_MS: '1500',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
      // Below the idle timeout, as the API requires.
      REQUEST_DEADLINE_MS: '1400',
    });
    app = await createApiApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.getHttpServer().address() as AddressInfo).port;
    db = await new DataSource({
      type: 'postgres',
      url: config.DATABASE_URL,
      poolSize: 1,
    }).initialize();

    // A file far larger than the loopback socket buffers (a few MB), so the server's writes stall.
    const [{ id: userId }] = (await db.query(
      `INSERT INTO users (email, password_hash) VALUES ($1, 'not-a-hash') RETURNING id`,
      [`stall-${randomUUID()}@example.test`],
    )) as Array<{ id: string }>;
    const id = randomUUID();
    const storageKey = `${userId}/${id}.png`;
    const size = 48 * 1024 * 1024;
    await app.get<FileStorage>(FILE_STORAGE).put(storageKey, randomBytes(size), 'image/png');
    await db.query(
      `INSERT INTO files (id, user_id, kind, job_id, storage_key, content_type, bytes, width, height, created_at)
       VALUES ($1, $2, 'upload', NULL, $3, 'image/png', $4, 1, 1, now())`,
      [id, userId, storageKey, size],
    );
    const link = await app
      .get(FilesService)
      .link(Object.assign(new StoredFile(), { id, storageKey }));
    const url = new URL(link.url);
    const path = `${url.pathname}${url.search}`;

    // The server's side of the connection: the client's paused socket would only report the
    // close after reading what is buffered, so the server's socket is what is watched.
    const serverSide = new Promise<Socket>((resolve) =>
      app.getHttpServer().once('connection', resolve),
    );
    const started = Date.now();
    const client = connect({ port, host: '127.0.0.1' });
    let received = 0;
    client.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // Read the status line and a little more, then stop reading for good.
      client.pause();
    });
    client.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const socket = await serverSide;
    const closed = new Promise<number>((resolve) =>
      socket.once('close', () => resolve(Date.now() - started)),
    );

    const bound = new Promise<'open'>((resolve) =>
      setTimeout(() => resolve('open'), 15_000).unref(),
    );
    const result = await Promise.race([closed, bound]);
    client.destroy();
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(size);
    expect(result).not.toBe('open');
    process.stdout.write(
      `stalled download: the server closed it ${String(result)} ms after the request (idle timeout 1500 ms)\n`,
    );
  });
});
