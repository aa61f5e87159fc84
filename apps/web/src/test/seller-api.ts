import type { Batch, Job, LedgerEntry } from '@jewelshot/api-client';
import { vi } from 'vitest';

export const json = (body: unknown, status = 200) => Response.json(body, { status });
export const page = (data: unknown[], nextCursor: string | null = null) =>
  json({ data, nextCursor });
export const problem = (status: number, code: string) =>
  json({ statusCode: status, code, error: code, requestId: 'r' }, status);

export { aJob } from '@jewelshot/api-client/testing';

/** A batch as GET /v1/batches/{id} answers it (BatchDto), its counts taken from its items. */
export function aBatch(items: Job[], overrides: Partial<Batch> = {}): Batch {
  const count = (status: Job['status']) => items.filter((job) => job.status === status).length;
  return {
    id: 'b1',
    name: 'Rings',
    operation: 'remove-background',
    params: {},
    total: items.length,
    createdAt: '2026-11-28T09:00:00.000Z',
    progress: {
      total: items.length,
      queued: count('queued'),
      running: count('running'),
      succeeded: count('succeeded'),
      failed: count('failed'),
      canceled: count('canceled'),
    },
    items,
    ...overrides,
  };
}

export function anEntry(overrides: Partial<LedgerEntry>): LedgerEntry {
  return {
    id: '1',
    kind: 'grant',
    delta: 1,
    balanceAfter: 1,
    reason: null,
    holdId: null,
    operation: null,
    quantity: null,
    createdAt: '2026-11-28T09:00:00.000Z',
    ...overrides,
  };
}

export interface Call {
  method: string;
  path: string;
  search: URLSearchParams;
}

/**
 * Stubs the global fetch with `route` (undefined: an empty page) and records every call. No
 * server: the SPA's API client sends to http://localhost (vite.config.ts), answered here. A
 * promise of a response holds the answer back until it settles.
 */
export function stubApi(
  route: (call: Call, request: Request) => Response | Promise<Response> | undefined,
) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const call = { method: request.method, path: url.pathname, search: url.searchParams };
      calls.push(call);
      return route(call, request) ?? page([]);
    }),
  );
  return calls;
}

/** An event stream (GET /v1/ai/jobs/{id}/events) that sends these jobs, then ends. */
export function eventStream(jobs: Job[]): Response {
  const text = jobs.map((job) => `event: status\ndata: ${JSON.stringify(job)}\n\n`).join('');
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
}
