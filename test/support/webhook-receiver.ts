import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  at: number;
}

/**
 * What the receiver does with the n-th request (0-based): answer a status, or hold the request
 * open (`'hang'`), or answer by hand.
 */
export type Reply = number | 'hang' | ((res: ServerResponse) => void);

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Waits until `count` requests (matching `filter`) arrived; returns them. */
  waitFor: (
    count: number,
    filter?: (hook: ReceivedWebhook) => boolean,
    timeoutMs?: number,
  ) => Promise<ReceivedWebhook[]>;
  close: () => Promise<void>;
}

/** A webhook receiver on loopback: records every request and answers as `reply` says. */
export async function startWebhookReceiver(
  reply: (n: number, hook: ReceivedWebhook) => Reply = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const hook = { headers: req.headers, body, path: req.url ?? '/', at: Date.now() };
      const n = received.length;
      received.push(hook);
      const answer = reply(n, hook);
      if (answer === 'hang') return;
      if (typeof answer === 'function') return answer(res);
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(`answer ${answer}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    waitFor: async (count, filter = () => true, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(filter);
        if (matching.length >= count) return matching;
        if (Date.now() > until)
          throw new Error(
            `receiver got ${matching.length} of ${count} webhooks in ${timeoutMs} ms`,
          );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
