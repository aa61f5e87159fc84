import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | undefined;

/**
 * Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing at all
 * otherwise (no SDK, no context manager, no patched modules: the @opentelemetry/api calls in the
 * code then hit its no-op implementation).
 *
 * It must run before `http`, `pg` and `ioredis` are loaded, so each app's main.ts imports this
 * file first, by path (the platform index loads them); it imports nothing of ours. The variable
 * is validated with the rest of the config a moment later (PlatformVariables).
 *
 * Spans: the HTTP server span (instrumentation-http), every PostgreSQL query and Redis command
 * (instrumentation-pg, -ioredis), and our own: the job's submit, its BullMQ hop (the context
 * rides in the job data, see job-queue.ts), the worker's run, the provider call and the settle.
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
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
        { scheduledDelayMillis: 1000 },
      ),
    ],
  });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are not worth a trace each.
        ignoreIncomingRequestHook: (request) =>
          /^\/(health|metrics)(\/|\?|$)/.test(request.url ?? ''),
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
