import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Target } from './address-policy';

export interface PostOutcome {
  /** The receiver's status, or null when no answer came (then `error` says why). */
  status: number | null;
  body: string | null;
  error: string | null;
  durationMs: number;
  /** True when no answer came within the timeout (as against a connection that failed). */
  timedOut?: boolean;
}

/** How much of an answer is read and kept. */
const BODY_LIMIT = 1000;

/**
 * A receiver's text as PostgreSQL can store it: a NUL character, which a text column refuses,
 * becomes U+FFFD. (Refused, the delivery's record failed, its job threw, and an answer the
 * receiver had accepted was delivered again on the whole retry schedule, never recorded.)
 */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/**
 * One POST to a resolved target. The socket connects to the address the policy checked (the
 * lookup is pinned to it, so a second DNS answer cannot redirect us: no DNS rebinding) while
 * the Host header and TLS name stay the URL's. Redirects are answers like any other: never
 * followed. The whole exchange is bounded by `timeoutMs`.
 */
export function postTo(
  target: Target,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostOutcome> {
  const started = performance.now();
  const { address, family } = target.address;
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address, family },
      ]);
    else callback(null, address, family);
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<PostOutcome, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: Math.round(performance.now() - started) });
    };
    const req = send(target.url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Jewelshot-Webhooks/1',
      },
      lookup: pinned,
      agent: false,
    });
    const timer = setTimeout(() => {
      finish({
        status: null,
        body: null,
        error: `no answer within ${timeoutMs} ms`,
        timedOut: true,
      });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < BODY_LIMIT) text += chunk;
        else res.destroy();
      });
      const done = (): void =>
        finish({
          status: res.statusCode ?? null,
          body: storable(text.slice(0, BODY_LIMIT)),
          error: null,
        });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ status: null, body: null, error: connectionError(error) }),
    );
    req.end(body);
  });
}

/**
 * What the endpoint's owner is told of a failed connection: its kind (the error code), never the
 * message, which names the address and port the name resolved to.
 */
function connectionError(error: NodeJS.ErrnoException): string {
  const code =
    typeof error.code === 'string' && /^[A-Z0-9_]{1,64}$/.test(error.code) ? error.code : null;
  return code ? `connection failed: ${code}` : 'connection failed';
}
