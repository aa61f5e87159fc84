import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface FakeRequest {
  id: string;
  endpoint: string;
  input: Record<string, unknown>;
  polls: number;
  canceled: boolean;
}

/**
 * A local stand-in for fal.ai's queue API, speaking its protocol to the real @fal-ai/client:
 * POST /{app}[/path] submits; GET /{owner}/{alias}/requests/{id}/status and GET
 * /{owner}/{alias}/requests/{id} poll and fetch; PUT .../cancel cancels. The prompt picks the
 * behaviour: "fail" → 500 from the model, "reject" → 422, "slow" → never finishes; anything
 * else completes on the second status poll with one PNG ("images=N": N of them, whatever
 * `num_images` asked for).
 */
export class FakeFal {
  readonly requests = new Map<string, FakeRequest>();
  readonly submits: FakeRequest[] = [];
  readonly unauthorized: string[] = [];
  private server: Server | undefined;
  private png: Buffer | undefined;

  constructor(private readonly key: string) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fake fal is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.png = await sharp({
      create: { width: 96, height: 96, channels: 3, background: { r: 10, g: 120, b: 200 } },
    })
      .png()
      .toBuffer();
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    let text = '';
    for await (const chunk of req) text += (chunk as Buffer).toString();
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/files/')) {
      res.writeHead(200, { 'content-type': 'image/png' }).end(this.png);
      return;
    }
    if (req.headers.authorization !== `Key ${this.key}`) {
      this.unauthorized.push(url.pathname);
      this.json(res, 401, { detail: 'Unauthorized' });
      return;
    }
    const match = /^\/(.+?)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(url.pathname);
    if (!match) {
      if (req.method !== 'POST') return this.json(res, 405, { detail: 'Method not allowed' });
      const request: FakeRequest = {
        id: randomUUID(),
        endpoint: url.pathname.slice(1),
        input: await this.body(req),
        polls: 0,
        canceled: false,
      };
      this.requests.set(request.id, request);
      this.submits.push(request);
      const base = `${this.url}/${request.endpoint}/requests/${request.id}`;
      this.json(res, 200, {
        status: 'IN_QUEUE',
        request_id: request.id,
        response_url: base,
        status_url: `${base}/status`,
        cancel_url: `${base}/cancel`,
        queue_position: 0,
      });
      return;
    }
    const request = this.requests.get(match[2] ?? '');
    if (!request) return this.json(res, 404, { detail: 'Request not found' });
    const prompt = String(request.input.prompt ?? '');
    const base = `${this.url}/${match[1]}/requests/${request.id}`;
    const urls = {
      request_id: request.id,
      response_url: base,
      status_url: `${base}/status`,
      cancel_url: `${base}/cancel`,
    };
    if (match[3] === '/cancel') {
      request.canceled = true;
      return this.json(res, 202, { status: 'CANCELLATION_REQUESTED' });
    }
    if (match[3] === '/status') {
      request.polls += 1;
      const done = !prompt.includes('slow') && !request.canceled && request.polls >= 2;
      return this.json(
        res,
        200,
        done
          ? { status: 'COMPLETED', logs: [], ...urls }
          : { status: 'IN_PROGRESS', logs: [], ...urls },
      );
    }
    if (prompt.includes('fail'))
      return this.json(res, 500, { detail: 'CUDA out of memory at /opt/model/worker.py:42' });
    if (prompt.includes('reject'))
      return this.json(res, 422, {
        detail: [{ loc: ['body', 'prompt'], msg: 'nsfw', type: 'value_error' }],
      });
    const count = Number(/images=(\d+)/.exec(prompt)?.[1] ?? 1);
    return this.json(res, 200, {
      images: Array.from({ length: count }, () => ({
        url: `${this.url}/files/${request.id}.png`,
        width: 96,
        height: 96,
        content_type: 'image/png',
      })),
      seed: 42,
    });
  }
}
