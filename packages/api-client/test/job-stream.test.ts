import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createApi, type Job } from '../src/index.js';
import { aJob as aJobFixture } from './fixtures.js';
import { errorBody, json, loopback, until, type Loopback } from './loopback.js';

const KEY = `js_live_${'e'.repeat(24)}_${'f'.repeat(64)}`;
const JOB_ID = '0b6f7c1e-0000-4000-8000-000000000001';
const EVENTS_PATH = `/v1/ai/jobs/${JOB_ID}/events`;

const aJob = (status: Job['status']) => aJobFixture({ id: JOB_ID, status });

const openStream = (response: ServerResponse) =>
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Seen {
  jobs: Job['status'][];
  reconnecting: number;
  ended: { reason: string; error: unknown } | null;
}

function follow(baseUrl: string) {
  const seen: Seen = { jobs: [], reconnecting: 0, ended: null };
  const api = createApi({ baseUrl, apiKey: KEY });
  const stop = api.streamJob(JOB_ID, {
    onJob: (job) => seen.jobs.push(job.status),
    onReconnecting: () => (seen.reconnecting += 1),
    onEnd: (reason, error) => (seen.ended = { reason, error }),
  });
  return { seen, stop };
}

describe('api.streamJob in Node (fetch, no window, no EventSource)', () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads the events, reconnects after a drop (after retry:, with Last-Event-ID) and ends on a terminal status', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    expect(typeof (globalThis as { EventSource?: unknown }).EventSource).not.toBe('function');
    const at: number[] = [];
    let lastClosed = false;
    server = await loopback((_request, response, index) => {
      at.push(Date.now());
      openStream(response);
      void (async () => {
        if (index === 0) {
          response.write('retry: 50\r\n: keep-alive\r\n\r\n');
          const queued = `id: 41\r\nevent: status\r\ndata: ${JSON.stringify(aJob('queued'))}\r\n\r\n`;
          response.write(queued.slice(0, 30));
          await pause(20);
          response.write(queued.slice(30));
          await pause(20);
          response.socket?.destroy(); // a dropped connection: no terminal status, no `end`
          return;
        }
        response.on('close', () => (lastClosed = true));
        response.write(`id: 42\nevent: status\ndata: ${JSON.stringify(aJob('running'))}\n\n`);
        await pause(20);
        // CR line ends, and the job over several data lines.
        const lines = JSON.stringify(aJob('succeeded'), null, 1).split('\n');
        response.write(`id: 43\revent: status\r${lines.map((l) => `data: ${l}\r`).join('')}\r`);
        // The stream stays open: the client closes it once the job is over.
      })();
    });

    const { seen } = follow(server.url);
    await until(() => seen.ended !== null);

    expect(seen.jobs).toEqual(['queued', 'running', 'succeeded']);
    expect(seen.ended).toEqual({ reason: 'terminal', error: undefined });
    expect(seen.reconnecting).toBe(1);
    const [first, second] = server.requests;
    expect(server.requests).toHaveLength(2);
    for (const request of [first, second]) {
      expect(request).toMatchObject({ method: 'GET', path: EVENTS_PATH });
      expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request?.headers.accept).toBe('text/event-stream');
    }
    expect(first?.headers).not.toHaveProperty('last-event-id');
    expect(second?.headers['last-event-id']).toBe('41');
    // The stream's `retry: 50`, not the 2 s the client waits when a stream sets none.
    const gap = (at[1] ?? 0) - (at[0] ?? 0);
    expect(gap).toBeGreaterThanOrEqual(40);
    expect(gap).toBeLessThan(1000);
    await until(() => lastClosed);
  });

  it('ends with session-ended on an `end` event', async () => {
    server = await loopback((_request, response) => {
      openStream(response);
      response.write(`event: status\ndata: ${JSON.stringify(aJob('running'))}\n\n`);
      response.write('event: end\ndata: {"reason":"SESSION_ENDED"}\n\n');
      response.end();
    });
    const { seen } = follow(server.url);
    await until(() => seen.ended !== null);
    expect(seen.jobs).toEqual(['running']);
    expect(seen.ended?.reason).toBe('session-ended');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up with the API error when the stream is refused', async () => {
    server = await loopback((_request, response) =>
      json(response, 404, errorBody(404, 'RESOURCE_NOT_FOUND')),
    );
    const { seen } = follow(server.url);
    await until(() => seen.ended !== null);
    expect(seen.ended?.reason).toBe('error');
    expect(seen.ended?.error).toBeInstanceOf(ApiError);
    expect(seen.ended?.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    expect(server.requests).toHaveLength(1);
  });

  it('stops reading and reconnecting once stopped', async () => {
    let closed = false;
    server = await loopback((_request, response) => {
      openStream(response);
      response.on('close', () => (closed = true));
      response.write(`event: status\ndata: ${JSON.stringify(aJob('queued'))}\n\n`);
    });
    const { seen, stop } = follow(server.url);
    await until(() => seen.jobs.length === 1);
    stop();
    await until(() => closed);
    await pause(100);
    expect(server.requests).toHaveLength(1);
    expect(seen.ended).toBeNull();
  });
});
