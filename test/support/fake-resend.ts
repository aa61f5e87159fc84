import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeDelivery {
  id: string;
  idempotencyKey: string | undefined;
  to: string[];
  from: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

/**
 * A local stand-in for Resend's HTTP API (POST /emails), spoken to by the real `resend` SDK
 * through RESEND_BASE_URL. It keeps Resend's Idempotency-Key promise: a second request with a
 * key it has answered gets the same id back and delivers nothing. The recipient's local part
 * picks the behaviour:
 * - `invalid…` → 422 validation_error, every time;
 * - `throttle…` → 429 on the first request of a key, then success;
 * - `flaky…` → 500 on the first two requests of a key, then success;
 * - `hold…` → the first request is delivered but never answered (the sender dies waiting);
 * - anything else → success.
 */
export class FakeResend {
  readonly deliveries: FakeDelivery[] = [];
  /** Every request, in order, by idempotency key (or '-' without one). */
  readonly requests: Array<{ key: string; status: number }> = [];
  private readonly answered = new Map<string, string>();
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;

  constructor(private readonly apiKey: string) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fake Resend is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  deliveriesFor(key: string): FakeDelivery[] {
    return this.deliveries.filter((d) => d.idempotencyKey === key);
  }

  requestsFor(key: string): number[] {
    return this.requests.filter((r) => r.key === key).map((r) => r.status);
  }

  private reply(res: ServerResponse, key: string, status: number, body: unknown): void {
    this.requests.push({ key, status });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += (chunk as Buffer).toString();
    const key = (req.headers['idempotency-key'] as string | undefined) ?? '-';
    if (req.method !== 'POST' || req.url !== '/emails')
      return this.reply(res, key, 404, {
        statusCode: 404,
        name: 'not_found',
        message: 'Not found',
      });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`)
      return this.reply(res, key, 401, {
        statusCode: 401,
        name: 'missing_api_key',
        message: 'Missing API key',
      });

    const body = JSON.parse(text) as Omit<FakeDelivery, 'id' | 'idempotencyKey'>;
    const known = this.answered.get(key);
    if (known) return this.reply(res, key, 200, { id: known });

    const local = (body.to[0] ?? '').split('@')[0] ?? '';
    const seen = this.requests.filter((r) => r.key === key).length;
    if (local.startsWith('invalid'))
      return this.reply(res, key, 422, {
        statusCode: 422,
        name: 'validation_error',
        message:
          'Invalid `to` field. The email address needs to follow the `email@example.com` format.',
      });
    if (local.startsWith('throttle') && seen < 1)
      return this.reply(res, key, 429, {
        statusCode: 429,
        name: 'rate_limit_exceeded',
        message: 'Too many requests',
      });
    if (local.startsWith('flaky') && seen < 2)
      return this.reply(res, key, 500, {
        statusCode: 500,
        name: 'internal_server_error',
        message: 'Unexpected error',
      });

    const id = randomUUID();
    this.deliveries.push({ ...body, id, idempotencyKey: key === '-' ? undefined : key });
    if (key !== '-') this.answered.set(key, id);
    if (local.startsWith('hold') && seen < 1) {
      // Delivered, but the answer never comes: the sender is killed before it can mark it sent.
      this.requests.push({ key, status: 0 });
      this.held.push(res);
      return;
    }
    this.reply(res, key, 200, { id });
  }
}
