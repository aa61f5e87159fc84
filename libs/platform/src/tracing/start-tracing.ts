import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { clientTraceContext, EdgePropagator } from './edge-propagator';
import { UrlRedactingSpanProcessor } from './redact-url';

let provider: NodeTracerProvider | undefined;

/**
 * Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing at all
 * otherwise (no SDK, no context manager, no patched modules: the @opentelemetry/api calls in the
 * code then hit its no-op implementation).
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
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `jewelshot-${service}` }),
    spanProcessors: [
      // First: the URL attributes are redacted before any processor sees the span end.
      new UrlRedactingSpanProcessor(),
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
        { scheduledDelayMillis: 1000 },
      ),
    ],
  });
  // The AsyncLocalStorage context manager, and W3C trace context that trusts only our carriers.
  provider.register({ propagator: new EdgePropagator() });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are not worth a trace each.
        ignoreIncomingRequestHook: (request) =>
          /^\/(health|metrics)(\/|\?|$)/.test(request.url ?? ''),
        // The client's trace context, which is not the parent (EdgePropagator), as a link.
        requestHook: (span, request) => {
          if (!('headers' in request)) return; // an outgoing request (ClientRequest)
          const client = clientTraceContext(request.headers);
          if (client) span.addLink({ context: client });
        },
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return true;
}

/** Exports what is still buffered (on shutdown); nothing to do when tracing is off. */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}
