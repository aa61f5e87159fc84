import {
  createTraceState,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';

// W3C Trace Context: version-traceid-parentid-flags. Version ff is invalid; version 00 has
// exactly these four fields, a later version may append more (ignored).
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

// A key, not an object identity: the platform index and start-tracing.ts (imported by path
// before it) may load this file as two modules; Symbol.for is the same symbol in both.
const TRUSTED = Symbol.for('jewelshot.tracing.trusted-carrier');

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** The span context a W3C `traceparent` (and `tracestate`) names; undefined when malformed. */
export function parseTraceparent(
  traceparent: string | string[] | undefined,
  tracestate?: string | string[],
): SpanContext | undefined {
  const match = TRACEPARENT_FORMAT.exec((first(traceparent) ?? '').trim());
  if (!match) return undefined;
  const [, version, traceId = '', spanId = '', flags = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return undefined;
  const state = Array.isArray(tracestate) ? tracestate.join(',') : tracestate;
  if (state) spanContext.traceState = createTraceState(state);
  return spanContext;
}

/**
 * The getter for a carrier we wrote ourselves (a queue job's `trace`, see spans.ts): the only
 * carrier EdgePropagator reads a parent from.
 */
export const TRUSTED_CARRIER_GETTER: TextMapGetter<Record<string, string>> = Object.assign(
  {
    get: (carrier: Record<string, string>, key: string) => carrier[key],
    keys: (carrier: Record<string, string>) => Object.keys(carrier),
  },
  { [TRUSTED]: true },
);

const isTrusted = (getter: TextMapGetter<unknown>): boolean =>
  (getter as unknown as Record<symbol, unknown>)[TRUSTED] === true;

/**
 * W3C trace context, for an edge service: it writes `traceparent`/`tracestate` into what we
 * send (outgoing HTTP calls, queue jobs), and reads them only from carriers we wrote
 * (TRUSTED_CARRIER_GETTER). What a client sends is not a parent: HTTP instrumentation's
 * extract from the request headers gets the context unchanged, so every request starts a trace
 * of its own (a client cannot put its requests in another trace, nor keep them out of tracing
 * with a not-sampled flag). The client's context is kept as a span link instead (start-tracing).
 * No baggage: nothing of ours reads it, and a client's would be taken as is.
 */
export class EdgePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT, `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    if (!isTrusted(getter)) return context;
    const spanContext = parseTraceparent(
      getter.get(carrier, TRACEPARENT),
      getter.get(carrier, TRACESTATE),
    );
    return spanContext ? trace.setSpanContext(context, spanContext) : context;
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}

/** The context a client's request headers name, for a span link; undefined when none. */
export function clientTraceContext(headers: Record<string, unknown>): SpanContext | undefined {
  const traceparent = headers[TRACEPARENT];
  const tracestate = headers[TRACESTATE];
  return typeof traceparent === 'string'
    ? parseTraceparent(traceparent, typeof tracestate === 'string' ? tracestate : undefined)
    : undefined;
}
