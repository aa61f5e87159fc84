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

/**
 * The OpenTelemetry SDK, its exporter and instrumentations, set up and registered: loaded by
 * startTracing only when tracing is on (start-tracing.ts), so that with it off none of it is.
 */
export function startTracerProvider(
  service: 'api' | 'worker',
  endpoint: string,
): NodeTracerProvider {
  const provider = new NodeTracerProvider({
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
  return provider;
}
