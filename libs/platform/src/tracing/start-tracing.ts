import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type * as TracingSdk from './tracing-sdk';

let provider: NodeTracerProvider | undefined;

/**
 * Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing at all
 * otherwise (no SDK, no context manager, no patched modules: the @opentelemetry/api calls in the
 * code then hit its no-op implementation). The SDK itself (tracing-sdk.ts: some 550 modules,
 * about half a second and 17 MB at start-up) is loaded only when tracing is on.
 *
 * It must run before `http`, `pg` and `ioredis` are loaded, so each app's main.ts imports this
 * file first, by path (the platform index loads them); of ours it imports only its siblings
 * here, which load nothing but @opentelemetry/api. The variable is validated with the rest of
 * the config a moment later (PlatformVariables).
 *
 * Spans: the HTTP server span (instrumentation-http), every PostgreSQL query and Redis command
 * (instrumentation-pg, -ioredis), and our own: the job's submit, its BullMQ hop (the context
 * rides in the job data, see job-queue.ts), the worker's run, the provider call and the settle.
 *
 * Safe to export to a collector:
 * - no query-string value reaches a span: every URL attribute (`url.query`, `url.full`, …) of
 *   incoming and outgoing requests keeps the parameter names only (redact-url.ts);
 * - the services are an edge: a client's `traceparent` is not a parent, each request starts a
 *   trace of its own and records the client's context as a span link (edge-propagator.ts);
 *   our own context still propagates: queue jobs (spans.ts) and outgoing calls.
 */
export function startTracing(
  service: 'api' | 'worker',
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || provider) return provider !== undefined;
  // Required here, not imported above: with tracing off, not one SDK module is loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./tracing-sdk') as typeof TracingSdk;
  provider = sdk.startTracerProvider(service, endpoint);
  return true;
}

/** Exports what is still buffered (on shutdown); nothing to do when tracing is off. */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}
