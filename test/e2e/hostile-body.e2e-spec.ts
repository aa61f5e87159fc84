import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../support/config';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { baseTestEnv } from '../support/test-env';

/** `{"f00000":0,...}`: 90,000 unknown fields, just under 1 MB. */
function unknownFields(count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i += 1) parts.push(`"f${String(i).padStart(5, '0')}":0`);
  return `{${parts.join(',')}}`;
}

// Loops the body until told to stop, bounded by time and count; posts back every status.
const ATTACKER = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.on('message', () => { stop = true; });
(async () => {
  const statuses = [];
  const until = Date.now() + workerData.maxMs;
  while (!stop && Date.now() < until && statuses.length < workerData.maxCount) {
    const res = await fetch(workerData.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + workerData.token },
      body: workerData.body,
    });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  parentPort.postMessage(statuses);
})();
`;

interface Answer {
  status: number;
  body: string;
}

describe('hostile JSON bodies', () => {
  let app: NestFastifyApplication;
  let base: string;
  let token: string;
  /** Fastify's own elapsed time of each answered request, by request id: server time, not the client's clock. */
  const serverMs = new Map<string, number>();

  beforeAll(async () => {
    app = await createApiApp(
      loadConfig({
        ...baseTestEnv(),
        JSON_MAX_DEPTH: '32',
        JSON_MAX_KEYS: '1000',
        JSON_MAX_STRING_LENGTH: '4096',
      }),
    );
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onResponse', async (request, reply) => {
        serverMs.set(String(request.id), reply.elapsedTime);
      });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const registered = await fetch(`${base}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `hostile-${Date.now()}@example.test`,
        password: 'hostile-password-123',
      }),
    });
    token = ((await registered.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await app.close();
  });

  async function post(
    path: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<Answer & { requestId: string }> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body,
    });
    return {
      status: res.status,
      body: await res.text(),
      requestId: res.headers.get('x-request-id') ?? '',
    };
  }

  function expectRefused(answer: Answer, status = 400): Record<string, unknown> {
    expect(answer.status).toBe(status);
    const parsed = JSON.parse(answer.body) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(
      expect.arrayContaining(['code', 'error', 'requestId', 'statusCode']),
    );
    expect(parsed.statusCode).toBe(status);
    return parsed;
  }

  it('answers 90,000 unknown fields with a small 400, refused while parsing rather than validated field by field', async () => {
    const body = unknownFields(90_000);
    expect(body.length).toBeGreaterThan(900_000);
    const answer = await post('/v1/ai/jobs', body);
    const parsed = expectRefused(answer);
    expect(parsed.code).toBe('VALIDATION_ERROR');
    expect(answer.body.length).toBeLessThan(4096);
    // Validating field by field took 8,230 ms of server time; refused while parsing it takes a
    // few ms (bench:hostile: 8.3 ms). The bound tells the two apart with room for a loaded machine.
    expect(serverMs.get(answer.requestId)).toBeLessThan(1000);
  });

  it("refuses 90 objects of 1,000 fields each in a known field: within each object's limit, not the body's", async () => {
    const object = `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":0`).join(',')}}`;
    const body = `{"operation":"generate","params":{"prompt":"ring","extra":[${Array(90).fill(object).join(',')}]}}`;
    const answer = await post('/v1/ai/jobs', body);
    const parsed = expectRefused(answer);
    expect(parsed).toMatchObject({
      code: 'VALIDATION_ERROR',
      error: expect.stringMatching(/more than 10000 members in all/),
    });
  });

  it('answers 90,000 unknown form fields with a small 400 quickly too, on the one route that takes a form', async () => {
    const form = Array.from({ length: 90_000 }, (_, i) => `f${i}=0`).join('&');
    const answer = await post('/v1/email/unsubscribe?token=t', form, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectRefused(answer);
    expect(answer.body.length).toBeLessThan(4096);
    expect(serverMs.get(answer.requestId)).toBeLessThan(1000);
    const nul = await post('/v1/email/unsubscribe?token=t', 'List-Unsubscribe=a%00b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(expectRefused(nul).error).toMatch(/NUL/);
    // Every other route takes JSON: a form there is 415, before it is split into fields.
    const elsewhere = await post('/v1/ai/jobs', form, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(elsewhere.status).toBe(415);
    expect(serverMs.get(elsewhere.requestId)).toBeLessThan(1000);
  });

  it('keeps at most 20 field errors when a body has many unknown fields under the member limit', async () => {
    const answer = await post('/v1/ai/jobs', unknownFields(900));
    const parsed = expectRefused(answer);
    expect((parsed.details as unknown[]).length).toBe(20);
  });

  it('refuses a body nested 10,000 deep with 400, not 500', async () => {
    const deep = `{"operation":"generate","params":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(expectRefused(await post('/v1/ai/jobs', deep)).error).toMatch(/deeper than 32/);
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    expectRefused(await post('/v1/ai/jobs', deepObject));
  });

  it('refuses NUL and lone surrogates in any string, keys included, raw or escaped', async () => {
    const job = (prompt: string): string =>
      `{"operation":"generate","params":{"prompt":"${prompt}"}}`;
    for (const prompt of ['a\\u0000b', 'a\\ud800b', 'a\\udc00', 'x\\uD83D', 'a\u0000b']) {
      expect(expectRefused(await post('/v1/ai/jobs', job(prompt))).error).toMatch(/NUL|surrogate/);
    }
    expectRefused(await post('/v1/ai/jobs', '{"operation":"generate","params":{"p\\u0000":"x"}}'));
    expectRefused(
      await post('/v1/auth/login', '{"email":"a\\u0000@example.test","password":"whatever-123"}'),
    );
    // A proper surrogate pair (an emoji) is text and passes the parser.
    const emoji = await post('/v1/ai/jobs', job('ring \\ud83d\\udc8d on marble'));
    expect(emoji.status).toBe(202);
  });

  it('refuses a string longer than the limit and an array with too many elements', async () => {
    expect(expectRefused(await post('/v1/ai/jobs', job('x'.repeat(5000)))).error).toMatch(
      /longer than 4096/,
    );
    expectRefused(
      await post('/v1/ai/jobs', `{"operation":"generate","params":{"a":[${'0,'.repeat(1500)}0]}}`),
    );
    function job(prompt: string): string {
      return `{"operation":"generate","params":{"prompt":"${prompt}"}}`;
    }
  });

  it('keeps Fastify’s prototype-poisoning refusal, and says what was refused', async () => {
    for (const body of [
      '{"operation":"generate","params":{},"__proto__":{"isAdmin":true}}',
      '{"operation":"generate","params":{"constructor":{"prototype":{"isAdmin":true}}}}',
    ]) {
      const refused = expectRefused(await post('/v1/ai/jobs', body));
      expect(refused.code).toBe('VALIDATION_ERROR');
      expect(refused.error).toMatch(/"__proto__" or "constructor.prototype" key is not allowed/);
    }
    // Broken JSON is still said to be broken JSON.
    expect(expectRefused(await post('/v1/ai/jobs', '{"operation":')).error).toMatch(
      /not valid JSON/,
    );
  });

  it('gives the credential routes a body limit of a few KB', async () => {
    const answer = await post(
      '/v1/auth/login',
      JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(8000) }),
    );
    expect(expectRefused(answer, 413).code).toBe('PAYLOAD_TOO_LARGE');
    // The same size is fine elsewhere (here: refused for its content, not its size).
    const elsewhere = await post(
      '/v1/ai/jobs',
      JSON.stringify({
        operation: 'generate',
        params: { prompt: 'x'.repeat(3000), pad: 'y'.repeat(3000) },
      }),
    );
    expect(elsewhere.status).not.toBe(413);
  });

  it('keeps answering /health/live without waiting behind the 90,000-field bodies one client loops for 10 s', async () => {
    // The attacker is another client: a thread of its own, so its event loop is not the prober's.
    const attacker = new Worker(ATTACKER, {
      eval: true,
      workerData: {
        url: `${base}/v1/ai/jobs`,
        token,
        body: unknownFields(90_000),
        maxMs: 10_000,
        maxCount: 5000,
      },
    });
    const attackerDone = new Promise<number[]>((resolve, reject) => {
      attacker.once('message', resolve);
      attacker.once('error', reject);
    });
    const latencies: number[] = [];
    const healthServerMs: number[] = [];
    const until = Date.now() + 10_000;
    try {
      while (Date.now() < until) {
        const started = performance.now();
        const res = await fetch(`${base}/health/live`);
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        healthServerMs.push(serverMs.get(res.headers.get('x-request-id') ?? '') ?? Number.NaN);
        expect(res.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      attacker.postMessage('stop');
    }
    const attackerStatuses = await attackerDone;
    await attacker.terminate();
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? Number.POSITIVE_INFINITY;
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.POSITIVE_INFINITY;
    console.log(
      `/health/live under attack: ${latencies.length} probes, p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies[latencies.length - 1]?.toFixed(1)} ms; ${attackerStatuses.length} hostile bodies`,
    );
    expect(attackerStatuses.length).toBeGreaterThan(10);
    expect(new Set(attackerStatuses)).toEqual(new Set([400]));
    // Not a stopwatch of this machine (bench:hostile measures that: p99 14 ms) but the difference
    // between a probe that waits behind a hostile body's validation (seconds: 8,970 ms p99 before
    // the fix) and one that does not, with room for a loaded CI machine. Server time of every
    // probe, and the client-side p95 (one slow probe of many is the machine, not the API).
    expect(Math.max(...healthServerMs)).toBeLessThan(1000);
    expect(p95).toBeLessThan(1000);
  }, 30_000);
});
