import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { repoRoot } from '@jewelshot/platform';
import { startApi, type TestApi } from '../support/app';
import { fund, upload, waitTerminal } from '../support/ai';
import { bearer, newUser } from '../support/factories';
import { freePort } from '../support/free-port';
import { smallPng } from '../support/images';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { suitePrefix } from '../support/test-env';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
        links?: Array<{ traceId: string; spanId: string }>;
      }>;
    }>;
  }>;
}

const valueOf = (v: OtlpValue): unknown =>
  v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;

const attributesOf = (list: OtlpAttribute[] = []): Record<string, unknown> =>
  Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/**
 * An OTLP/HTTP (JSON) receiver on loopback that keeps every span it is sent, in memory, and
 * the exports as they came (`raw`: to check that a value reaches no part of any span).
 */
async function startReceiver(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  raw: string[];
  server: Server;
}> {
  const spans: ReceivedSpan[] = [];
  const raw: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        raw.push(body);
        const payload = JSON.parse(body) as OtlpExport;
        for (const resource of payload.resourceSpans ?? []) {
          const service = String(attributesOf(resource.resource?.attributes)['service.name']);
          for (const scope of resource.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                attributes: attributesOf(span.attributes),
                links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, spans, raw, server };
}

async function until<T>(what: string, probe: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

const secret = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;

describe('tracing', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let setup: TestApi;
  let apiProcess: WorkerProcess;
  let workerProcess: WorkerProcess;
  let apiPort: number;
  let hooks: WebhookReceiver;
  let db: SuiteDatabase;

  beforeAll(async () => {
    receiver = await startReceiver();
    // A database of its own: on the run's shared one, another suite's worker could take this
    // suite's domain events and send its webhooks, untraced (see suite-database.ts).
    db = await suiteDatabase('tracing');
    const env = {
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: suitePrefix('tracing'),
      SIGNUP_CREDITS: '5',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // The worker's webhook deliveries are the outgoing calls of the redaction test.
      WEBHOOK_ALLOW_PRIVATE: 'true',
    };
    // This process arranges and inspects (its tracing is not started: no SDK in Jest); the API
    // and the worker under test run as processes of their own, as main.ts starts them.
    setup = await startApi(env);
    apiPort = await freePort();
    apiProcess = await startWorkerProcess(
      { ...env, PORT: String(apiPort) },
      join('test', 'support', 'api-process-main.ts'),
    );
    workerProcess = await startWorkerProcess(env);
    hooks = await startWebhookReceiver();
  }, 90_000);

  afterAll(async () => {
    await hooks?.close();
    await workerProcess?.stop();
    await apiProcess?.stop();
    await setup?.close();
    await db?.drop();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('follows one job in one trace: request, transaction, queue hop, worker, provider, settle; log lines carry its ids', async () => {
    const user = await newUser(setup);
    await fund(setup, user, 5);
    const res = await request(`http://127.0.0.1:${apiPort}`)
      .post('/v1/ai/jobs')
      .set(...bearer(user.accessToken))
      .send({ operation: 'generate', params: { prompt: 'a ring on marble' } });
    expect(res.status).toBe(202);
    const [row] = await waitTerminal(setup, [res.body.id]);
    expect(row?.status).toBe('succeeded');

    // Spans are exported in batches (every second): wait for the worker's settle.
    const create = await until('the API span of the transaction', () =>
      receiver.spans.find((s) => s.name === 'ai-job.create' && s.service === 'jewelshot-api'),
    );
    const trace = create.traceId;
    await until('the worker span of the settle', () =>
      receiver.spans.find((s) => s.traceId === trace && s.name === 'ai-job.settle'),
    );
    const spans = receiver.spans.filter((s) => s.traceId === trace);
    const named = (name: string) => spans.filter((s) => s.name === name);

    // The trace starts at the HTTP request and holds every step, in the service that did it.
    const roots = spans.filter((s) => s.parentSpanId === '');
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ service: 'jewelshot-api', kind: SPAN_KIND_SERVER });
    const enqueue = named('ai-job.enqueue');
    expect(enqueue).toHaveLength(1);
    expect(enqueue[0]?.service).toBe('jewelshot-api');
    const run = named('ai-job.run');
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ service: 'jewelshot-worker', parentSpanId: enqueue[0]?.spanId });
    expect(named('ai-job.provider')).toEqual([
      expect.objectContaining({
        service: 'jewelshot-worker',
        attributes: expect.objectContaining({ 'jewelshot.provider': 'local' }),
      }),
    ]);
    expect(named('ai-job.settle')).toEqual([
      expect.objectContaining({ service: 'jewelshot-worker' }),
    ]);
    // PostgreSQL queries (the transactions) in both processes, and Redis commands.
    const system = (s: ReceivedSpan) => s.attributes['db.system'] ?? s.attributes['db.system.name'];
    const isQuery = (s: ReceivedSpan) => system(s) === 'postgresql';
    expect(spans.some((s) => isQuery(s) && s.parentSpanId === create.spanId)).toBe(true);
    expect(spans.some((s) => isQuery(s) && s.service === 'jewelshot-worker')).toBe(true);
    expect(spans.some((s) => system(s) === 'redis' && s.service === 'jewelshot-api')).toBe(true);
    // Every span's parent is in the same trace: one tree, nothing detached.
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId))).toEqual([]);

    // Log lines written inside the trace carry its ids (the API's access line of the submit).
    const lines = apiProcess
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = lines.find((l) => l.route === '/v1/ai/jobs' && l.method === 'POST');
    expect(access).toMatchObject({
      trace_id: trace,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('follows a batch: one span for its transaction, and each item in that trace to its settle', async () => {
    const user = await newUser(setup);
    await fund(setup, user, 5);
    const images = await Promise.all([1, 2].map(async () => upload(setup, user, await smallPng())));
    const res = await request(`http://127.0.0.1:${apiPort}`)
      .post('/v1/batches')
      .set(...bearer(user.accessToken))
      .send({
        name: 'traced',
        operation: 'remove-background',
        params: {},
        inputImageIds: images.map((image) => image.body.id as string),
      });
    expect(res.status).toBe(201);
    const ids = (res.body.items as Array<{ id: string }>).map((job) => job.id);
    expect(ids).toHaveLength(2);
    const rows = await waitTerminal(setup, ids);
    expect(rows.map((row) => row.status)).toEqual(['succeeded', 'succeeded']);

    const create = await until('the API span of the batch transaction', () =>
      receiver.spans.find((s) => s.name === 'ai-batch.create' && s.service === 'jewelshot-api'),
    );
    expect(create.attributes).toMatchObject({
      'jewelshot.operation': 'remove-background',
      'jewelshot.batch.items': 2,
    });
    const trace = create.traceId;
    await until('both settles in the trace', () =>
      receiver.spans.filter((s) => s.traceId === trace && s.name === 'ai-job.settle').length === 2
        ? true
        : undefined,
    );
    const spans = receiver.spans.filter((s) => s.traceId === trace);
    const system = (s: ReceivedSpan) => s.attributes['db.system'] ?? s.attributes['db.system.name'];
    expect(spans.some((s) => system(s) === 'postgresql' && s.parentSpanId === create.spanId)).toBe(
      true,
    );
    // One enqueue for the batch's items (one bulk add), each item's run a child of it.
    const enqueue = spans.filter((s) => s.name === 'ai-job.enqueue');
    expect(enqueue).toEqual([
      expect.objectContaining({
        attributes: expect.objectContaining({ 'messaging.batch.message_count': 2 }),
      }),
    ]);
    const runs = spans.filter((s) => s.name === 'ai-job.run');
    expect(runs).toHaveLength(2);
    expect(runs.every((s) => s.service === 'jewelshot-worker')).toBe(true);
    expect(runs.every((s) => s.parentSpanId === enqueue[0]?.spanId)).toBe(true);
  });

  /** The server span of the API request with this path (and query, as exported), once exported. */
  const serverSpan = (path: string, query?: string) =>
    until(`the server span of ${path}`, () =>
      receiver.spans.find(
        (s) =>
          s.service === 'jewelshot-api' &&
          s.kind === SPAN_KIND_SERVER &&
          s.attributes['url.path'] === path &&
          (query === undefined || s.attributes['url.query'] === query),
      ),
    );

  it('exports no query-string value of an incoming request: reset, verify and unsubscribe tokens, API keys', async () => {
    const api = request(`http://127.0.0.1:${apiPort}`);
    const secrets = {
      reset: secret('reset'),
      verify: secret('verify'),
      unsubscribe: secret('unsubscribe'),
      key: secret('key'),
    };
    await api.get(`/reset-password?token=${secrets.reset}`);
    await api.get(`/verify-email?token=${secrets.verify}&next=%2Fapp`);
    await api
      .post(`/v1/email/unsubscribe?token=${secrets.unsubscribe}`)
      .type('form')
      .send('List-Unsubscribe=One-Click');
    // Parameters the operation does not list: refused (400), and traced all the same.
    const prices = await api.get(`/v1/credits/prices?api_key=${secrets.key}&currency=usd`);
    expect(prices.status).toBe(400);

    // The parameter names are kept, never a value.
    expect((await serverSpan('/reset-password')).attributes['url.query']).toBe('token=REDACTED');
    expect((await serverSpan('/verify-email')).attributes['url.query']).toBe(
      'token=REDACTED&next=REDACTED',
    );
    expect((await serverSpan('/v1/email/unsubscribe')).attributes['url.query']).toBe(
      'token=REDACTED',
    );
    expect(
      (await serverSpan('/v1/credits/prices', 'api_key=REDACTED&currency=REDACTED')).attributes,
    ).toMatchObject({ 'url.query': 'api_key=REDACTED&currency=REDACTED' });
    const exported = receiver.raw.join('\n');
    for (const value of Object.values(secrets)) expect(exported).not.toContain(value);
  });

  it('exports no query-string value of an outgoing call (a webhook URL with a key in it)', async () => {
    const key = secret('hook-key');
    const user = await newUser(setup);
    await fund(setup, user, 5);
    const api = request(`http://127.0.0.1:${apiPort}`);
    const endpoint = await api
      .post('/v1/webhooks')
      .set(...bearer(user.accessToken))
      .send({ url: `${hooks.url}/in?key=${key}&v=2`, events: ['job.succeeded'] });
    expect(endpoint.status).toBe(201);
    const job = await api
      .post('/v1/ai/jobs')
      .set(...bearer(user.accessToken))
      .send({ operation: 'generate', params: { prompt: 'a ring on marble' } });
    expect(job.status).toBe(202);
    const [hook] = await hooks.waitFor(1, undefined, 30_000);
    expect(hook?.path).toBe(`/in?key=${key}&v=2`);

    const call = await until('the worker span of the webhook call', () =>
      receiver.spans.find(
        (s) =>
          s.service === 'jewelshot-worker' &&
          s.kind === SPAN_KIND_CLIENT &&
          s.attributes['server.port'] === hooks.port,
      ),
    );
    expect(call.attributes['url.full']).toBe(`${hooks.url}/in?key=REDACTED&v=REDACTED`);
    expect(receiver.raw.join('\n')).not.toContain(key);
  });

  it.each([
    ['sampled', '01', 'a'],
    ['not sampled', '00', 'c'],
  ])(
    "starts a trace of its own for a client's %s traceparent, kept as a link; its log lines carry our ids",
    async (_what, flags, digit) => {
      const clientTrace = digit.repeat(32);
      const clientSpan = 'b'.repeat(16);
      const res = await request(`http://127.0.0.1:${apiPort}`)
        .get(`/v1/credits/prices?probe${flags}=1`)
        .set('traceparent', `00-${clientTrace}-${clientSpan}-${flags}`);
      // The probe parameter (it tells this case's span from the other's) is not the
      // operation's: a 400, traced and logged as any answer is.
      expect(res.status).toBe(400);

      // Traced (a not-sampled flag keeps nothing out of tracing), as a root, not in their trace.
      const span = await serverSpan('/v1/credits/prices', `probe${flags}=REDACTED`);
      expect(span.traceId).not.toBe(clientTrace);
      expect(span.parentSpanId).toBe('');
      expect(span.links).toEqual([{ traceId: clientTrace, spanId: clientSpan }]);
      expect(receiver.spans.filter((s) => s.traceId === clientTrace)).toEqual([]);

      const requestId = String(res.headers['x-request-id']);
      const access = await until('the access line', () =>
        apiProcess
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((l) => l.msg === 'request completed' && l.requestId === requestId),
      );
      expect(access).toMatchObject({ trace_id: span.traceId });
    },
  );
});

describe('tracing off', () => {
  /** In a fresh process: whether tracing started, and how many OpenTelemetry SDK modules it loaded. */
  const startIn = (env: Record<string, string>) => {
    const script = [
      "const { startTracing } = require('./libs/platform/src/tracing/start-tracing.ts');",
      `const on = startTracing('api', ${JSON.stringify(env)});`,
      'const sdk = Object.keys(require.cache).filter((file) =>',
      '  /@opentelemetry[\\\\/](sdk-|exporter-|instrumentation)/.test(file));',
      'console.log(JSON.stringify({ on, sdk: sdk.length }));',
    ].join('\n');
    const run = spawnSync(
      process.execPath,
      ['-r', join(repoRoot(), 'test/support/register.js'), '-e', script],
      { cwd: repoRoot(), encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { on: boolean; sdk: number };
  };

  it('loads none of the SDK without OTEL_EXPORTER_OTLP_ENDPOINT, and all of it with one', () => {
    expect(startIn({})).toEqual({ on: false, sdk: 0 });
    const on = startIn({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    expect(on.on).toBe(true);
    expect(on.sdk).toBeGreaterThan(10);
  });
});
