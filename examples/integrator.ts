/**
 * An integrator's whole round trip, in Node with the typed client (packages/api-client):
 *
 *   1. sign in once with email and password, and create an API key (jobs, files and webhooks
 *      scopes);
 *   2. from then on only the key (`createApi({ baseUrl, apiKey })`): register a webhook endpoint
 *      and submit a job (with an Idempotency-Key, so a retry never pays twice);
 *   3. receive its `job.succeeded` webhook on a local server and verify the Standard Webhooks
 *      signature with the `standardwebhooks` package;
 *   4. download the result through the job's signed output URL;
 *   5. whatever happened, clean up: delete the webhook endpoint, revoke the key and sign out (an
 *      account has at most WEBHOOK_MAX_ENDPOINTS endpoints and 50 live keys: runs must not pile
 *      them up).
 *
 * A webhook can be late (the receiver was down, a retry is waiting): if none comes within
 * `webhookWaitMs`, the script polls the job instead, as an integrator should.
 *
 * Run from the repository root (after `npm ci`):
 *
 *   JEWELSHOT_URL=http://127.0.0.1:3000 JEWELSHOT_EMAIL=... JEWELSHOT_PASSWORD=... \
 *   RECEIVER_PORT=4000 OUT=result.png node -r ./test/support/register.js examples/integrator.ts
 *
 * test/support/register.js compiles TypeScript with SWC as Node loads it (the tests run the
 * worker the same way); test/e2e/integrator-example.e2e-spec.ts runs this file with that
 * command, and also imports `runIntegration`. The API must accept a webhook endpoint on
 * 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE: allowed in development and test).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createApi, unwrap, type Api, type Job } from '@jewelshot/api-client';

export interface IntegrationOptions {
  baseUrl: string;
  email: string;
  password: string;
  /** Port of the local webhook receiver (0: any free one). */
  receiverPort?: number;
  /** How long to wait for the webhook before polling instead. */
  webhookWaitMs?: number;
  log?: (line: string) => void;
}

export interface IntegrationResult {
  /** The key the run made (revoked again before the run ended). */
  apiKey: string;
  job: Job;
  image: Buffer;
  /** How the end of the job was learnt: a verified webhook, or polling. */
  via: 'webhook' | 'polling';
}

/** A verified webhook delivery. */
interface Delivery {
  id: string;
  type: string;
  data: { id?: string };
}

/** Something the run made, and how to take it away again. */
interface Undo {
  what: string;
  run: () => Promise<unknown>;
}

/** Starts the receiver: every delivery is verified with the endpoint's secret, else refused (400). */
async function startReceiver(
  port: number,
  secret: () => string | undefined,
  onEvent: (event: Delivery) => void,
): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = secret();
      try {
        if (!key) throw new Error('no secret yet');
        const headers = {
          'webhook-id': String(request.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
        };
        const event = new Webhook(key).verify(body, headers) as Omit<Delivery, 'id'>;
        // Answer 2xx quickly; deduplicate by webhook-id (a retry carries the same one).
        response.writeHead(204).end();
        onEvent({ ...event, id: headers['webhook-id'] });
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** Takes back, newest first, what the run made; every step is tried. Returns what failed. */
async function cleanUp(undo: Undo[], log: (line: string) => void): Promise<string[]> {
  const failed: string[] = [];
  for (const step of undo.reverse()) {
    try {
      await step.run();
      log(step.what);
    } catch (error) {
      failed.push(step.what);
      log(`could not ${step.what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failed;
}

export async function runIntegration(options: IntegrationOptions): Promise<IntegrationResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const undo: Undo[] = [];
  let result: IntegrationResult;
  let leftovers: string[];
  try {
    result = await roundTrip(options, baseUrl, log, undo);
  } finally {
    // On success and on failure alike (a refused job, a timeout, a thrown error).
    leftovers = await cleanUp(undo, log);
  }
  if (leftovers.length > 0) throw new Error(`the run left things behind: ${leftovers.join('; ')}`);
  return result;
}

async function roundTrip(
  options: IntegrationOptions,
  baseUrl: string,
  log: (line: string) => void,
  undo: Undo[],
): Promise<IntegrationResult> {
  // 1. A person signs in once and creates the key (keys cannot create keys). The session keeps
  //    the access token and refreshes it (refreshTokenDelivery defaults to body).
  const person = createApi({ baseUrl });
  const auth = await unwrap(
    person.client.POST('/v1/auth/login', {
      body: { email: options.email, password: options.password },
    }),
  );
  person.session.signIn(auth);
  undo.push({
    what: 'signed out',
    run: () => unwrap(person.client.POST('/v1/auth/logout')),
  });
  const created = await unwrap(
    person.client.POST('/v1/api-keys', {
      body: {
        name: 'integrator example',
        scopes: ['jobs:read', 'jobs:write', 'files:write', 'webhooks:manage'],
      },
    }),
  );
  undo.push({
    what: `revoked API key ${created.prefix}…`,
    run: () =>
      unwrap(person.client.DELETE('/v1/api-keys/{id}', { params: { path: { id: created.id } } })),
  });
  const apiKey = created.key;
  log(`created API key ${created.prefix}… (shown once; keep it in a secret store)`);

  // 2. Everything else with the key alone.
  const api = createApi({ baseUrl, apiKey });

  // 3. The local receiver, registered as a webhook endpoint for job events.
  let secret: string | undefined;
  let finished: ((event: Delivery) => void) | undefined;
  const seen = new Set<string>();
  const webhook = new Promise<Delivery>((resolve) => (finished = resolve));
  const receiver = await startReceiver(
    options.receiverPort ?? 0,
    () => secret,
    (event) => {
      if (seen.has(event.id)) return;
      seen.add(event.id);
      log(`webhook ${event.type} (${event.id}), signature verified`);
      if (event.type.startsWith('job.')) finished?.(event);
    },
  );
  try {
    const { port } = receiver.address() as AddressInfo;
    const registered = await unwrap(
      api.client.POST('/v1/webhooks', {
        body: {
          url: `http://127.0.0.1:${port}/jewelshot`,
          events: ['job.succeeded', 'job.failed', 'job.canceled'],
          description: 'integrator example',
        },
      }),
    );
    undo.push({
      what: 'deleted the webhook endpoint',
      run: () =>
        unwrap(api.client.DELETE('/v1/webhooks/{id}', { params: { path: { id: registered.id } } })),
    });
    // Shown once, like the key: keep it in a secret store.
    secret = registered.secret;
    log(`webhook endpoint registered on port ${port}`);

    const submitted = await unwrap(
      api.client.POST('/v1/ai/jobs', {
        // The same key on a retry (a timeout, a crash) returns the first job: never paid twice.
        params: { header: { 'Idempotency-Key': randomUUID() } },
        body: { operation: 'generate', params: { prompt: 'a gold ring on white marble' } },
      }),
    );
    const jobId = submitted.id;
    log(`job ${jobId} queued, ${submitted.cost} credit(s) held`);

    let via: IntegrationResult['via'] = 'polling';
    let timer: NodeJS.Timeout | undefined;
    const event = await Promise.race([
      webhook,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), options.webhookWaitMs ?? 120_000);
      }),
    ]);
    // Not left running: it would keep the process alive after the run.
    clearTimeout(timer);
    if (event?.data.id === jobId) via = 'webhook';
    const job = await waitForJob(api, jobId, via === 'webhook' ? 0 : 120_000);
    if (job.status !== 'succeeded') throw new Error(`job ended ${job.status}`);

    // 4. The output's URL is signed: no key needed to download it.
    const output = job.outputs[0];
    if (!output) throw new Error('the job has no output');
    const download = await fetch(new URL(output.url, baseUrl));
    if (!download.ok) throw new Error(`download failed: ${download.status}`);
    const image = Buffer.from(await download.arrayBuffer());
    log(`downloaded ${image.length} bytes (${output.width}×${output.height})`);
    return { apiKey, job, image, via };
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

/** The job once terminal (reads it once if `timeoutMs` is 0: the webhook said it is). */
async function waitForJob(api: Api, id: string, timeoutMs: number): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await unwrap(api.client.GET('/v1/ai/jobs/{id}', { params: { path: { id } } }));
    if (['succeeded', 'failed', 'canceled'].includes(job.status) || Date.now() >= until) return job;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

if (require.main === module) {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  runIntegration({
    baseUrl: process.env.JEWELSHOT_URL ?? 'http://127.0.0.1:3000',
    email: need('JEWELSHOT_EMAIL'),
    password: need('JEWELSHOT_PASSWORD'),
    receiverPort: Number(process.env.RECEIVER_PORT ?? 0),
  })
    .then(async (result) => {
      const out = process.env.OUT ?? 'result.png';
      await writeFile(out, result.image);
      process.stdout.write(`wrote ${out} (learnt of the end by ${result.via})\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
