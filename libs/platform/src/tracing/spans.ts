import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import { TRUSTED_CARRIER_GETTER } from './edge-propagator';

// A proxy: it delegates to the SDK's tracer once start-tracing.ts registered one, and to the
// no-op tracer otherwise (tracing off costs a function call and an empty object per span).
const tracer = trace.getTracer('jewelshot');

/** Trace context carried across a queue hop (W3C `traceparent`, `tracestate`). */
export type TraceCarrier = Record<string, string>;

export interface TracedOptions {
  attributes?: Attributes;
  kind?: 'internal' | 'producer' | 'consumer' | 'client';
  /** The parent, e.g. the context a queue job carried (default: the active one). */
  parent?: Context;
}

const KINDS = {
  internal: SpanKind.INTERNAL,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  client: SpanKind.CLIENT,
};

/** Runs `work` in a span of its own (active for what it calls); an error marks the span failed. */
export function traced<T>(
  name: string,
  work: () => Promise<T>,
  options: TracedOptions = {},
): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { kind: KINDS[options.kind ?? 'internal'], attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await work();
      } catch (error) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The active trace context as a carrier for a queue job's data; undefined when tracing is off. */
export function traceCarrier(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/**
 * The context a queue job carried (the root context when it carried none). Job data is written
 * by our own services only, so it is read as a trusted carrier: the propagator takes no parent
 * from any other (a client's `traceparent`, see edge-propagator.ts).
 */
export function contextFrom(carrier: TraceCarrier | undefined): Context {
  return carrier
    ? propagation.extract(ROOT_CONTEXT, carrier, TRUSTED_CARRIER_GETTER)
    : ROOT_CONTEXT;
}

/** `trace_id` and `span_id` of the active span, for log lines; empty when there is none. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
